// FuzzSafetensors.swift — libFuzzer target: any bytes through the safetensors reader. It must return
// an archive or throw SafetensorsError; a trap, an overflow or a bad memory access is a finding.
import Foundation
import FuzzSupport
import Tensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    if let archive = try? SafetensorsArchive.decode(data, path: "<fuzz>") {
        // Every tensor the reader accepted must be as large as its shape says.
        for (name, tensor) in archive.tensors where tensor.values.count != tensor.shape.reduce(1, *) {
            fatalError("tensor \(name): \(tensor.shape) with \(tensor.values.count) values")
        }
    }
    return 0
}

@main
enum FuzzSafetensorsMain {
    static func main() { runFuzzer(fuzzSafetensors) }
}
