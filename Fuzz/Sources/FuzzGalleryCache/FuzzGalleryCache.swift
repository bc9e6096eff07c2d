// FuzzGalleryCache.swift — libFuzzer target: any bytes through the gallery-cache reader, under the key
// of the seeds' model (its embedding size, 128) and of a model with another embedding size. Whatever
// it accepts must hold only entries of the key's length with finite values.
import Foundation
import FuzzSupport
import SiameseKit
import Tensor

private let keys = [128, 8].map { size in
    GalleryCache.Key(weights: WeightsDigest(text: "w64:0000000000000000")!, precision: .float32, embeddingSize: size, crop: "face")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGalleryCache(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    for key in keys {
        guard case .success(let embeddings) = GalleryCache.embeddings(decoding: data, key: key) else { continue }
        for values in embeddings.values where values.count != key.embeddingSize || !values.allSatisfy(\.isFinite) {
            fatalError("the cache reader accepted an entry of \(values.count) values")
        }
    }
    return 0
}

@main
enum FuzzGalleryCacheMain {
    static func main() { runFuzzer(fuzzGalleryCache) }
}
