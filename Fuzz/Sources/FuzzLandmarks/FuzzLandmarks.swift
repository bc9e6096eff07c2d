// FuzzLandmarks.swift — libFuzzer target: any landmark model a model file can carry, past its digest (which
// a crafted file recomputes), through the checks of LandmarkPredictor.stored, then run: the landmarks in a
// box the input names, and for a five-point model the whole chipper (two passes, dlib's box, the face chip)
// on a generated photo. It must refuse the model or answer; a trap or a bad memory access is a finding.
//
// Input bytes:
//   0…4   points 2…6, levels 1…3, trees 1…4, tree depth 1…3 (splits 2^depth − 1), features 2…8
//   5…8   the box: left, top, right, bottom, each a signed byte + 32 (pixels of a 64 × 64 photo)
//   9…    little-endian float32 values, in the order the model file's tensors hold them: initial shape
//         [2P], split features [L, T, S, 2], thresholds [L, T, S], leaf values [L, T, S + 1, 2P], anchors
//         [L, F], deltas [L, F, 2] (indices are floats there too); values past the input's end are 0.
import Foundation
import FuzzSupport
import SiameseKit
import Tensor

/// A 64 × 64 photo of smooth gradients with a bright blob, so that pixel differences send trees both ways.
private let photo: RGBImage = {
    var pixels = [UInt8](repeating: 0, count: 64 * 64 * 3)
    for y in 0..<64 {
        for x in 0..<64 {
            let blob = (x - 30) * (x - 30) + (y - 26) * (y - 26) < 80 ? 120 : 0
            pixels[3 * (y * 64 + x)] = UInt8((x * 3 + blob) % 256)
            pixels[3 * (y * 64 + x) + 1] = UInt8((y * 3 + blob) % 256)
            pixels[3 * (y * 64 + x) + 2] = UInt8(((x + y) * 2) % 256)
        }
    }
    return RGBImage(width: 64, height: 64, pixels: pixels)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLandmarks(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes, count >= 9 else { return 0 }
    let input = UnsafeBufferPointer(start: bytes, count: count)
    let points = 2 + Int(input[0]) % 5, levels = 1 + Int(input[1]) % 3, trees = 1 + Int(input[2]) % 4
    let splits = (1 << (1 + Int(input[3]) % 3)) - 1, features = 2 + Int(input[4]) % 7
    let box = LandmarkPredictor.Box(left: Int(Int8(bitPattern: input[5])) + 32, top: Int(Int8(bitPattern: input[6])) + 32,
                                    right: Int(Int8(bitPattern: input[7])) + 32, bottom: Int(Int8(bitPattern: input[8])) + 32)
    var next = 9
    func values(_ shape: [Int]) -> StoredTensor {
        let total = shape.reduce(1, *)
        let floats = (0..<total).map { _ -> Float in
            defer { next += 4 }
            guard next + 4 <= count else { return 0 }
            return Float(bitPattern: UInt32(input[next]) | UInt32(input[next + 1]) << 8 | UInt32(input[next + 2]) << 16
                         | UInt32(input[next + 3]) << 24)
        }
        return StoredTensor(shape: shape, values: floats)
    }
    var tensors: [String: StoredTensor] = [:]
    tensors["landmarks.initial_shape"] = values([2 * points])
    tensors["landmarks.split_features"] = values([levels, trees, splits, 2])
    tensors["landmarks.thresholds"] = values([levels, trees, splits])
    tensors["landmarks.leaf_values"] = values([levels, trees, splits + 1, 2 * points])
    tensors["landmarks.anchors"] = values([levels, features])
    tensors["landmarks.deltas"] = values([levels, features, 2])
    guard let predictor = try? LandmarkPredictor.stored(in: tensors, path: "<fuzz>") else { return 0 }
    let found = predictor.landmarks(in: photo, box: box)
    if found.count != points || !found.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) {
        fatalError("\(found.count) landmarks for \(points) points, or one not finite: \(found)")
    }
    if points == 5 {
        let chip = FaceChipper(landmarks: predictor).chip(of: photo)
        if chip.width != 150 || chip.height != 150 { fatalError("a \(chip.width) × \(chip.height) chip") }
    }
    return 0
}

@main
enum FuzzLandmarksMain {
    static func main() { runFuzzer(fuzzLandmarks) }
}
