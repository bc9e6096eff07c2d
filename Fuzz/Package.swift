// swift-tools-version:6.0
// libFuzzer targets for facever's readers of untrusted files, as a package of their own so that the
// main package never links libFuzzer. Built and run by Scripts/fuzz.sh, which passes
// `-sanitize=fuzzer,address -parse-as-library` to every Swift module (the readers are instrumented
// too); the image decoders' targets are C++ and are built by the script with clang++ (Decoders/).
import PackageDescription

let package = Package(
    name: "facever-fuzz",
    dependencies: [
        .package(name: "facever", path: ".."),
    ],
    targets: [
        .target(name: "FuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzerDriver"]),
        .executableTarget(name: "FuzzSafetensors", dependencies: ["FuzzSupport", .product(name: "Tensor", package: "facever")]),
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["FuzzSupport", .product(name: "SiameseKit", package: "facever")]),
        .executableTarget(name: "FuzzGalleryCache", dependencies: ["FuzzSupport", .product(name: "SiameseKit", package: "facever")]),
        .executableTarget(name: "FuzzLandmarks", dependencies: ["FuzzSupport", .product(name: "SiameseKit", package: "facever")]),
    ],
    swiftLanguageModes: [.v5]
)
