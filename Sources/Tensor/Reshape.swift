// Reshape.swift — views that move no arithmetic: reshape, flatten, and taking rows of a batch.
//
//   reshape(x, shape): same values, new shape (counts must match); gradient reshaped back.
//   flatten(x): [N, …] → [N, Π…]
//   rows(x, range): x[range, …] along the first axis; gradient added into those rows.
//   gatherRows(x, indices): y[i, …] = x[indices[i], …], rows may repeat; each row's gradient is
//     added into the row it came from (a row taken twice receives both).
//   concatenateRows([a, b, …]): the batches one after another along the first axis; each gets its rows' gradient.
//   mirrored(x): x [N, H, W, C] flipped left to right, y[n, h, w, c] = x[n, h, W−1−w, c]; gradient flipped back.
public func reshape(_ x: Tensor, to shape: [Int]) -> Tensor {
    precondition(Tensor.elementCount(of: shape) == x.count, "reshape: \(x.shape) cannot become \(shape)")
    return Tensor(result: shape, data: x.data, inputs: [x]) { output in
        x.addToGrad(output.incomingGrad)
    }
}

public func flatten(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 1, "flatten: needs a batch axis")
    return reshape(x, to: [x.shape[0], x.count / max(1, x.shape[0])])
}

public func rows(_ x: Tensor, _ range: Range<Int>) -> Tensor {
    precondition(x.rank >= 1 && range.lowerBound >= 0 && range.upperBound <= x.shape[0],
                 "rows: \(range) is outside the first axis of \(x.shape)")
    let rowSize = x.count / max(1, x.shape[0])
    let start = range.lowerBound * rowSize
    let values = Array(x.data[start..<(start + range.count * rowSize)])
    return Tensor(result: [range.count] + x.shape.dropFirst(), data: values, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            for index in 0..<dy.count { dx[start + index] += dy[index] }
        }
    }
}

public func gatherRows(_ x: Tensor, _ indices: [Int]) -> Tensor {
    precondition(x.rank >= 1 && indices.allSatisfy { (0..<x.shape[0]).contains($0) },
                 "gatherRows: an index is outside the first axis of \(x.shape)")
    let rowSize = x.count / max(1, x.shape[0])
    var values = [Float]()
    values.reserveCapacity(indices.count * rowSize)
    for index in indices {
        values += x.data[(index * rowSize)..<((index + 1) * rowSize)]
    }
    return Tensor(result: [indices.count] + x.shape.dropFirst(), data: values, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            for (row, index) in indices.enumerated() {
                for offset in 0..<rowSize { dx[index * rowSize + offset] += dy[row * rowSize + offset] }
            }
        }
    }
}

public func concatenateRows(_ tensors: [Tensor]) -> Tensor {
    precondition(!tensors.isEmpty && tensors.allSatisfy { $0.rank >= 1 && Array($0.shape.dropFirst()) == Array(tensors[0].shape.dropFirst()) },
                 "concatenateRows: batches of one shape, got \(tensors.map(\.shape))")
    let shape = [tensors.map { $0.shape[0] }.reduce(0, +)] + tensors[0].shape.dropFirst()
    return Tensor(result: shape, data: tensors.flatMap(\.data), inputs: tensors) { output in
        let dy = output.incomingGrad
        var start = 0
        for tensor in tensors {
            let begin = start
            tensor.accumulateGrad { dx in
                for index in 0..<dx.count { dx[index] += dy[begin + index] }
            }
            start += tensor.count
        }
    }
}

public func mirrored(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "mirrored: input must be [N, H, W, C], got \(x.shape)")
    let (rows, width, channels) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    /// Calls body(target, source) for the first value of every pixel and its mirror image.
    func pixels(_ body: (Int, Int) -> Void) {
        for row in 0..<rows {
            for column in 0..<width { body((row * width + column) * channels, (row * width + width - 1 - column) * channels) }
        }
    }
    var y = [Float](repeating: 0, count: x.count)
    let values = x.data  // read once: `data` read in the loop costs an exclusivity check per value
    pixels { target, source in for c in 0..<channels { y[target + c] = values[source + c] } }
    return Tensor(result: x.shape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            pixels { target, source in for c in 0..<channels { dx[source + c] += dy[target + c] } }
        }
    }
}
