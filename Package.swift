// swift-tools-version:6.0
// Swift 5 language mode: the kernels share raw buffers across DispatchQueue.concurrentPerform
// iterations, which write disjoint ranges; Swift 6's Sendable checking cannot see that.
// facever: a command-line face verifier on a Siamese network, with its own tensor engine over OpenBLAS.
//
// Dependencies point one way only:
//   facever (CLI) → SiameseKit → Tensor → CBLAS (OpenBLAS), MatrixKernels (bfloat16 GEMM)
//                   SiameseKit → COpenCVShim (codecs and resizing behind a plain C header)
//   libFaceverCapture.so (FaceverCapture: OpenCV video, preview, other formats) and libFaceverDetect.so
//   (FaceverDetect: the face cascades), loaded by SiameseKit at run time
import Foundation
import PackageDescription

// Debian's OpenCV component packages ship no opencv4.pc, so the include path and libraries are named here.
let openCVIncludeFlags: [String] = ["-I/usr/include/opencv4"]
// The capture library shares the shim's private C++ support header (exceptions stop there).
let shimSupportIncludeFlags: [String] = [
    "-I" + URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/COpenCVShim").path,
]
// facever itself links only core and imgproc (resizing) plus libjpeg and libpng; the modules that bring
// some 250 shared libraries (videoio, objdetect, highgui, imgcodecs) are linked only into
// libFaceverCapture.so, which facever loads when a command needs a camera, a video or a cascade.
let openCVImageLibraries: [LinkerSetting] = [
    .linkedLibrary("opencv_core"),
    .linkedLibrary("opencv_imgproc"),
    .linkedLibrary("jpeg"),
    .linkedLibrary("png16"),
]
let openCVCaptureLibraries: [LinkerSetting] = [
    .linkedLibrary("opencv_imgcodecs"),
    .linkedLibrary("opencv_videoio"),
    .linkedLibrary("opencv_highgui"),
]
// The face pipeline's cascades need objdetect alone (about 28 libraries with its dependencies): they live in
// libFaceverDetect.so, so that finding a face does not load the capture library's 260.
let openCVDetectLibraries: [LinkerSetting] = [
    .linkedLibrary("opencv_objdetect"),
    .linkedLibrary("opencv_imgproc"),
    .linkedLibrary("opencv_core"),
]

let package = Package(
    name: "facever",
    products: [
        .executable(name: "facever", targets: ["facever"]),
        .library(name: "SiameseKit", targets: ["SiameseKit"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "FaceverCapture", type: .dynamic, targets: ["FaceverCapture"]),
        .library(name: "FaceverDetect", type: .dynamic, targets: ["FaceverDetect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "COpenCVShim",
            cxxSettings: [.unsafeFlags(openCVIncludeFlags)],
            linkerSettings: openCVImageLibraries
        ),
        // Cameras, videos, cascades, preview, other image formats: built as libFaceverCapture.so and
        // loaded with dlopen at first use (Sources/SiameseKit/Capture/CaptureLibrary.swift).
        .target(
            name: "FaceverCapture",
            dependencies: ["COpenCVShim"],
            cxxSettings: [.unsafeFlags(openCVIncludeFlags + shimSupportIncludeFlags)],
            linkerSettings: openCVCaptureLibraries
        ),
        .target(
            name: "FaceverDetect",
            dependencies: ["COpenCVShim"],
            cxxSettings: [.unsafeFlags(openCVIncludeFlags + shimSupportIncludeFlags)],
            linkerSettings: openCVDetectLibraries
        ),
        // The bfloat16 GEMM (AVX512-BF16, chosen at run time). Optimised even in debug builds so that
        // the test suite's products stay fast.
        .target(
            name: "MatrixKernels",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(
            name: "Tensor",
            dependencies: ["CBLAS", "MatrixKernels"]
        ),
        .target(
            name: "SiameseKit",
            dependencies: ["Tensor", "COpenCVShim"]
        ),
        .executableTarget(
            name: "facever",
            dependencies: [
                "SiameseKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A machine probe (FMA peak) for the benchmarks, dispatched by CPU feature at run time.
        .target(name: "BenchmarkKernels"),
        .executableTarget(
            name: "facever-bench",
            dependencies: ["Tensor", "SiameseKit", "CBLAS", "MatrixKernels", "BenchmarkKernels",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Benchmarks"
        ),
        // What every test target shares: the repository's paths, the bundled faces, data folders and
        // synthetic camera frames made from them.
        .target(
            name: "TestSupport",
            dependencies: ["SiameseKit"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "TensorTests",
            dependencies: ["Tensor", "TestSupport"]
        ),
        .testTarget(
            name: "SiameseKitTests",
            dependencies: ["SiameseKit", "Tensor", "TestSupport"]
        ),
        // Runs the built `facever` binary end to end; the dependency makes `swift test` build it.
        .testTarget(
            name: "faceverTests",
            dependencies: ["facever", "SiameseKit", "Tensor", "TestSupport"],
            exclude: ["HelpSnapshots"]  // read from the repository by HelpSnapshotTests
        ),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
