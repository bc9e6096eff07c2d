// WorkloadBenchmarks.swift — the workloads a user waits for, measured the way the TensorFlow side of
// Scripts/benchmark-vs-tensorflow.sh measures them. Each prints one JSON object per line:
//   {"framework": "facever", "task": …, figures…}
// Times are medians after warm-up; the inputs are random (speed does not depend on the values).
import BenchmarkKernels
import Dispatch
import Foundation
import SiameseKit
import Tensor

func emit(_ object: [String: Any], precision: MatrixPrecision) {
    var line = object
    line["framework"] = "facever"
    line["precision"] = precision.rawValue
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(stdout)
}

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
}

/// FLOPs of one training pair: both branches forward, backward to every weight and to every
/// activation except the input images (which need no gradient), and the small head.
func trainingFLOPsPerPair(_ architecture: EmbeddingArchitecture) -> (actual: Double, forwardPerImage: Double) {
    var forward = 0.0, firstLayer = 0.0
    var shape = [1] + architecture.inputShape
    let convolutions = try! EmbeddingNetwork(architecture: architecture, factory: .glorotUniform(seed: 0)).convolutions
    for (index, layer) in convolutions.enumerated() {
        let g = ConvolutionGeometry(input: shape, weight: layer.weight.shape)
        forward += g.forwardFLOPs
        if index == 0 { firstLayer = g.forwardFLOPs }
        shape = index < convolutions.count - 1 ? MaxPool2D.outputShape(g.outputShape) : g.outputShape
    }
    forward += 2 * Double(architecture.flattenedSize * architecture.embeddingSize)
    let backward = 2 * forward - firstLayer
    return (2 * (forward + backward), forward)
}

/// The same GEMMs a training step runs (batch of 2·pairs images), timed in cblas_sgemm alone.
func sgemmSecondsForTrainingStep(architecture: EmbeddingArchitecture, images: Int) -> Double {
    var total = 0.0
    var shape = [images] + architecture.inputShape
    let convolutions = try! EmbeddingNetwork(architecture: architecture, factory: .glorotUniform(seed: 0)).convolutions
    for (index, layer) in convolutions.enumerated() {
        let g = ConvolutionGeometry(input: shape, weight: layer.weight.shape)
        let rows = g.batch * g.positionsPerImage
        total += sgemmSeconds(m: rows, n: g.outputChannels, k: g.patchSize, repeats: 2)
        total += sgemmSeconds(m: g.patchSize, n: g.outputChannels, k: rows, transposeA: true, repeats: 2)
        if index > 0 {
            total += sgemmSeconds(m: rows, n: g.patchSize, k: g.outputChannels, transposeB: true, repeats: 2)
        }
        shape = index < convolutions.count - 1 ? MaxPool2D.outputShape(g.outputShape) : g.outputShape
    }
    let (i, o) = (architecture.flattenedSize, architecture.embeddingSize)
    total += sgemmSeconds(m: images, n: o, k: i, repeats: 2)
    total += sgemmSeconds(m: i, n: o, k: images, transposeA: true, repeats: 2)
    total += sgemmSeconds(m: images, n: i, k: o, transposeB: true, repeats: 2)
    return total
}

/// Training steps on random images: `batch` pairs, as independent pairs (2 photos each) or as
/// triplets (an anchor, a positive and a negative: 3 photos for 2 pairs).
func benchmarkTraining(steps: Int, batch: Int, composition: BatchComposition, compute: Compute) {
    let architecture = EmbeddingArchitecture.tutorial
    let trainer = SiameseTrainer(network: SiameseNetwork(architecture: architecture, seed: 1), compute: compute)
    let pairBatch: PairBatch
    switch composition {
    case .pairs:
        let anchors = randomTensor([batch] + architecture.inputShape, requiresGrad: false, seed: 1)
        let others = randomTensor([batch] + architecture.inputShape, requiresGrad: false, seed: 2)
        pairBatch = PairBatch(anchors: anchors, others: others, labels: (0..<batch).map { Float($0 % 2) })
    case .triplets:
        let triplets = batch / 2
        let photos = randomTensor([3 * triplets] + architecture.inputShape, requiresGrad: false, seed: 1)
        // Photos: anchors 0..<T, positives T..<2T, negatives 2T..<3T; pairs (a_k, p_k, 1), (a_k, n_k, 0).
        pairBatch = PairBatch(photos: photos, anchorRows: (0..<triplets).flatMap { [$0, $0] },
                              otherRows: (0..<triplets).flatMap { [triplets + $0, 2 * triplets + $0] },
                              labels: (0..<triplets).flatMap { _ in [Float(1), 0] })
    }
    let pairs = pairBatch.labels.count, photos = pairBatch.photos.shape[0]
    trainer.step(pairBatch)  // warm-up
    var times: [Double] = []
    for _ in 0..<steps {
        times.append(seconds { trainer.step(pairBatch) })
    }
    let step = median(times)
    let peakRSS = peakResidentMiB()  // before the sgemm comparison below allocates its own matrices
    let flopsPerPhoto = trainingFLOPsPerPair(architecture).actual / 2
    let stepFLOPs = flopsPerPhoto * Double(photos)
    let sgemmStep = sgemmSecondsForTrainingStep(architecture: architecture, images: photos)
    emit([
        "task": "train", "batch": pairs, "batches": composition.rawValue, "photos_per_step": photos,
        "step_seconds": step, "pairs_per_second": Double(pairs) / step,
        "samples": times, "gflop_per_pair": stepFLOPs / Double(pairs) / 1e9,
        "gflops": stepFLOPs / step / 1e9,
        "sgemm_only_step_seconds": sgemmStep, "sgemm_only_gflops": stepFLOPs / sgemmStep / 1e9,
        "peak_rss_mib": peakRSS,
    ], precision: compute.precision)
}

func benchmarkEmbedding(batch: Int, repeats: Int, compute: Compute) {
    let architecture = EmbeddingArchitecture.tutorial
    // As verify and evaluate run it: weights packed, the dense one when the images to come (here the
    // warm-up and the timed repeats) make it pay.
    var model = InferenceModel(network: SiameseNetwork(architecture: architecture, seed: 1), compute: compute)
    if batch * (repeats + 1) >= InferenceModel.imagesBeforeDensePackPays { model = model.packingDenseWeight(forBatchesOf: batch) }
    let images = randomTensor([batch] + architecture.inputShape, requiresGrad: false, seed: 3)
    _ = model.embeddings(images)
    var times: [Double] = []
    for _ in 0..<repeats {
        times.append(seconds { _ = model.embeddings(images) })
    }
    let time = median(times)
    let flops = trainingFLOPsPerPair(architecture).forwardPerImage
    emit([
        "task": batch == 1 ? "embed1" : "embed\(batch)", "batch": batch, "seconds": time, "milliseconds": time * 1000,
        "images_per_second": Double(batch) / time, "gflops": flops * Double(batch) / time / 1e9, "samples": times,
    ], precision: compute.precision)
}

/// A tutorial-size model (random weights), a gallery of 50 bundled faces with its cache warmed, and a probe.
func prepareVerify(folder: URL) throws {
    let layout = DataLayout(root: folder.appendingPathComponent("data"))
    let staging = folder.appendingPathComponent("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    let samples = URL(fileURLWithPath: "data/samples/orl")
    for subject in 1...5 {
        for number in 1...10 {
            let target = staging.appendingPathComponent("s\(subject)_\(number).pgm")
            if !FileManager.default.fileExists(atPath: target.path) {
                try FileManager.default.copyItem(at: samples.appendingPathComponent("s\(subject)/\(number).pgm"), to: target)
            }
        }
    }
    _ = try ImageImporter.run(source: staging, into: layout.folder(.verification))
    try SiameseNetwork(architecture: .tutorial, seed: 1).save(to: layout.defaultModel)
    let probe = folder.appendingPathComponent("probe.jpg")
    try AtomicFile.write(try RGBImage.read(contentsOf: samples.appendingPathComponent("s6/1.pgm")).storedFace().jpegData(), to: probe)
    // Warm the gallery cache in every precision this CPU runs (the cache keeps one set per precision).
    var gallerySize = 0
    let model = try TrainedModel.load(from: layout.defaultModel)
    for precision in MatrixPrecision.allCases where precision.isAvailable {
        gallerySize = try Verifier(model: model, precision: precision, galleryFolder: layout.folder(.verification),
                                   thresholds: Thresholds()).gallery.shape[0]
    }
    emit(["task": "prepare-verify", "gallery": gallerySize, "model": layout.defaultModel.path, "probe": probe.path],
         precision: .float32)
}

func benchmarkVerify(folder: URL, repeats: Int, precision: MatrixPrecision) throws {
    let layout = DataLayout(root: folder.appendingPathComponent("data"))
    var verifier: Verifier!
    let loadSeconds = seconds {
        let model = try! TrainedModel.load(from: layout.defaultModel)
        verifier = try! Verifier(model: model, precision: precision, galleryFolder: layout.folder(.verification),
                                 thresholds: Thresholds(), probesToCome: repeats + 1)
    }
    let probe = try RGBImage.read(contentsOf: folder.appendingPathComponent("probe.jpg"))
    _ = try! verifier.verify(probe)
    var times: [Double] = []
    for _ in 0..<repeats {
        times.append(seconds { _ = try! verifier.verify(probe) })
    }
    emit([
        "task": "verify", "gallery": verifier.gallery.shape[0], "cached": verifier.report.cached,
        "milliseconds": median(times) * 1000, "samples": times, "load_model_and_gallery_seconds": loadSeconds,
    ], precision: precision)
}

func benchmarkPeak(seconds duration: Double, precision: MatrixPrecision) {
    let threads = Compute.availableThreads
    // The peak of the vectors the float32 kernel in use runs (FACEVER_KERNEL=avx2: 8 floats).
    let widest: Int32 = switch Float32Kernel.standard {
    case .facever(.avx512), .openBLAS: 16
    case .facever(.avx2): 8
    case .facever(.scalar): 4
    }
    var width: Int32 = 0
    let calibration = seconds { _ = fv_fma_probe(1_000_000, widest, &width) }
    let iterations = Int64(Double(1_000_000) * duration / max(calibration, 1e-6))
    let lock = NSLock()
    var flops = 0.0
    let elapsed = seconds {
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var lanes: Int32 = 0
            let done = fv_fma_probe(iterations, widest, &lanes)
            lock.lock()
            flops += done
            lock.unlock()
        }
    }
    emit(["task": "peak", "threads": threads, "vector_floats": Int(width), "gflops": flops / elapsed / 1e9], precision: precision)
}
