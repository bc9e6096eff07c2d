// PretrainedBenchmark.swift — dlib's ResNet on facever's engine, per face and in batches:
// `facever-bench pretrained MODEL LIST [--repeats 3]`, LIST a text file of photo paths (one per line).
//
// Per face, from the decoded photo to its descriptor: the canonical crop (centre square, 250 px), the five
// landmarks (two passes of the regression trees), the face chip, and the network on that one chip; the
// median over the photos of the fastest of `repeats` runs each. Batch: the network on 32 chips at once.
import Foundation
import SiameseKit
import Tensor

func benchmarkPretrained(model url: URL, list: URL, repeats: Int, compute: Compute) throws {
    let model = try TrainedModel.load(from: url)
    guard let chipper = model.network.chipper else { throw InputError(path: url.path, problem: "not a landmark-aligned model") }
    let inference = InferenceModel(network: model.network, compute: compute)
    let paths = try String(contentsOf: list, encoding: .utf8).split(separator: "\n").map(String.init)
    let photos = try paths.map { try RGBImage.read(contentsOf: URL(fileURLWithPath: $0)) }
    let format = model.inputFormat
    var prepare: [Double] = [], network: [Double] = [], whole: [Double] = []
    var chips: [[Float]] = []
    for photo in photos {
        var best = (prepare: Double.infinity, network: Double.infinity, whole: Double.infinity)
        var values: [Float] = []
        for _ in 0..<repeats {
            let prepareSeconds = seconds {
                let chip = chipper.chip(of: photo.storedFace())
                values = chip.pixels.map { Float($0) * (1 / 255) }
            }
            let networkSeconds = seconds { _ = inference.embeddings(ImageBatch.tensor(stacking: [values], format: format)) }
            best = (min(best.prepare, prepareSeconds), min(best.network, networkSeconds), min(best.whole, prepareSeconds + networkSeconds))
        }
        if chips.count < 32 { chips.append(values) }  // the batch: the first 32 photos' chips
        prepare.append(best.prepare); network.append(best.network); whole.append(best.whole)
    }
    let batch = Array(chips.prefix(32))
    let input = ImageBatch.tensor(stacking: batch, format: format)
    _ = inference.embeddings(input)
    let batchSeconds = (0..<repeats).map { _ in seconds { _ = inference.embeddings(input) } }.min()!
    emit([
        "task": "pretrained", "photos": photos.count, "threads": inference.compute.threads,
        "per_face_milliseconds": median(whole) * 1000, "landmarks_and_chip_milliseconds": median(prepare) * 1000,
        "network_milliseconds": median(network) * 1000, "batch": batch.count,
        "batch_faces_per_second": Double(batch.count) / batchSeconds,
    ], precision: compute.precision)
}
