// BufferHelpers.swift — small pointer utilities shared by the kernels.
extension Tensor {
    /// Calls `body` with this tensor's gradient buffer (allocated as zeros when needed), or with nil
    /// when the tensor does not require a gradient.
    func withGradPointer<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard requiresGrad else { return body(nil) }
        var result: R?
        accumulateGrad { result = body($0.baseAddress) }
        return result!
    }

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

/// 16 floats at a time through SIMD16, for elementwise loops the compiler leaves scalar because their
/// pointers might alias (a gradient buffer and the values it is computed from).
enum Lanes {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// dy[i] = 0 where y[i] ≤ 0, for i in `range`: ReLU's backward, in place (NaN in y keeps dy).
    static func zeroWhereNotPositive(_ dy: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>) {
        var index = range.lowerBound
        while index + Vector.scalarCount <= range.upperBound {
            store(load(dy + index).replacing(with: 0, where: load(y + index) .<= 0), dy + index)
            index += Vector.scalarCount
        }
        for index in index..<range.upperBound where y[index] <= 0 { dy[index] = 0 }
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
