// FuzzCheckpoint.swift — libFuzzer target: any bytes through the checkpoint reader; when it accepts
// them and the network is small, the network is built from the stored weights and checked as
// `train --resume` would before continuing.
import Foundation
import FuzzSupport
import SiameseKit
import Tensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes else { return 0 }
    guard let checkpoint = try? Checkpoint.decode(Data(bytes: bytes, count: count), path: "<fuzz>") else { return 0 }
    guard checkpoint.archive.tensors.values.reduce(0, { $0 + $1.values.count }) < 4_000_000 else { return 0 }
    if let network = try? SiameseNetwork(architecture: checkpoint.architecture, factory: .stored(in: checkpoint.archive, path: "<fuzz>")) {
        _ = network.firstNonFiniteParameter()
        _ = network.weightsDigest()
    }
    return 0
}

@main
enum FuzzCheckpointMain {
    static func main() { runFuzzer(fuzzCheckpoint) }
}
