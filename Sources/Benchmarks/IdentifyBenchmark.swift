// IdentifyBenchmark.swift — identify at scale: `facever-bench identify DIR --people 1000 --photos 5`
// enrols PEOPLE × PHOTOS distinct faces (bundled ORL faces, each copy shifted in brightness so that
// every photo is new to the cache) under DIR/data/people with a tutorial-size model, then measures:
// embedding everyone once (the first identify), loading everyone from the cache (every later identify
// process), and one probe (one embedding plus the Siamese head over every enrolled photo).
import Foundation
import SiameseKit
import Tensor

func benchmarkIdentify(folder: URL, people: Int, photos: Int, repeats: Int, precision: MatrixPrecision) throws {
    let layout = DataLayout(root: folder.appendingPathComponent("data"))
    let samples = URL(fileURLWithPath: "data/samples/orl")
    let faces = try (1...20).flatMap { subject in
        try (1...10).map { try RGBImage.read(contentsOf: samples.appendingPathComponent("s\(subject)/\($0).pgm")).storedFace() }
    }
    let writeSeconds = seconds {
        for person in 0..<people {
            let personFolder = People.folder(of: String(format: "P%05d", person), in: layout)
            for photo in 0..<photos {
                let url = personFolder.appendingPathComponent("\(photo).jpg")
                if FileManager.default.fileExists(atPath: url.path) { continue }
                let face = faces[(person * photos + photo) % faces.count]
                let shift = UInt8((person * 7 + photo) % 40)
                let shifted = RGBImage(width: face.width, height: face.height, pixels: face.pixels.map { $0 > 215 ? $0 : $0 + shift })
                try! PrivateFolder.create(personFolder)
                try! AtomicFile.write(try! shifted.storedJPEG(markedAs: .centre), to: url)
            }
        }
    }
    if !FileManager.default.fileExists(atPath: layout.defaultModel.path) {
        try SiameseNetwork(architecture: .tutorial, seed: 1).save(to: layout.defaultModel)
    }
    let model = try TrainedModel.load(from: layout.defaultModel)
    var identifier: Identifier!
    let firstSeconds = seconds {
        identifier = try! Identifier(model: model, precision: precision, layout: layout, threshold: 0.5, probesToCome: repeats + 1,
                                     cropper: .centre, decoder: .ownFormats)
    }
    let computed = identifier.gallery.report.computed
    let cachedSeconds = seconds {
        identifier = try! Identifier(model: model, precision: precision, layout: layout, threshold: 0.5, probesToCome: 1,
                                     cropper: .centre, decoder: .ownFormats)
    }
    let probe = try RGBImage.read(contentsOf: samples.appendingPathComponent("s20/1.pgm")).storedFace()
    _ = try identifier.identify(probe)
    var probeTimes: [Double] = [], headTimes: [Double] = []
    let format = model.network.inputFormat
    let embedding = identifier.gallery.inference.embeddings(ImageBatch.tensor(stacking: [ImageBatch.values(of: probe, for: format)],
                                                                              format: format)).data
    for _ in 0..<repeats {
        probeTimes.append(seconds { _ = try! identifier.identify(probe) })
        headTimes.append(seconds { _ = try! identifier.identify(embedding: embedding) })
    }
    emit([
        "task": "identify", "people": identifier.names.count, "photos": identifier.gallery.paths.count,
        "write_photos_seconds": writeSeconds, "first_load_seconds": firstSeconds, "embedded_on_first_load": computed,
        "cached_load_seconds": cachedSeconds, "cached": identifier.gallery.report.cached,
        "probe_milliseconds": median(probeTimes) * 1000, "head_milliseconds": median(headTimes) * 1000,
    ], precision: precision)
}
