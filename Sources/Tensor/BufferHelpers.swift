// BufferHelpers.swift — small pointer utilities shared by the kernels.
extension Optional where Wrapped == [Float] {
    /// Calls `body` with a pointer to the array's storage, or with nil when there is no array.
    mutating func withOptionalMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        switch self {
        case .none:
            return body(nil)
        case .some(var array):
            self = nil  // keep the array uniquely referenced while we write to it
            let result = array.withUnsafeMutableBufferPointer { body($0.baseAddress) }
            self = array
            return result
        }
    }
}

extension Tensor {
    /// grad += delta, element by element.
    func addToGrad(_ delta: [Float]) {
        precondition(delta.count == count, "addToGrad: \(delta.count) values for a tensor of \(count)")
        accumulateGrad { gradient in
            delta.withUnsafeBufferPointer { delta in
                for index in 0..<gradient.count {
                    gradient[index] += delta[index]
                }
            }
        }
    }
}

enum ColumnSums {
    /// sums[c] += Σ_r matrix[r, c] for a row-major [rows, columns] matrix.
    static func accumulate(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let line = matrix + row * columns
            for column in 0..<columns {
                sums[column] += line[column]
            }
        }
    }
}
