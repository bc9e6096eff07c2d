// Safetensors.swift — reading and writing the safetensors format (F32 tensors and string metadata).
//
// Layout: [u64 little-endian N][N bytes of JSON header][data buffer]
//   header: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
//            "__metadata__": {"key": "value", …}}
//   offsets are relative to the data buffer; the tensors tile it with no gap and no overlap.
// Reading checks every rule the reference implementation checks and reports the first broken one
// with the file's path. Writing is atomic (AtomicFile), streams tensor by tensor, and pads the header
// to 8 bytes with spaces.
import Foundation

public struct StoredTensor: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(Tensor.elementCount(of: shape) == values.count, "StoredTensor: \(shape) vs \(values.count) values")
        self.shape = shape
        self.values = values
    }
}

public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String
    /// True when the file is some other kind of file (a photo, a text), not a damaged safetensors one:
    /// the next step a user needs is another file, not the same one restored.
    public let isOtherFormat: Bool
    public var description: String { "\(path): \(problem)" }

    public init(path: String, problem: String, isOtherFormat: Bool = false) {
        self.path = path
        self.problem = problem
        self.isOtherFormat = isOtherFormat
    }
}

/// What a file's header says before its tensors are read: the metadata and the tensors' names.
public struct SafetensorsHeader: Equatable, Sendable {
    public var metadata: [String: String]
    public var tensorNames: Set<String>

    public init(metadata: [String: String], tensorNames: Set<String>) {
        self.metadata = metadata
        self.tensorNames = tensorNames
    }
}

public struct SafetensorsArchive: Equatable {
    /// The reference implementation refuses headers above 100 MB.
    public static let maximumHeaderSize = 100_000_000

    public var tensors: [String: StoredTensor]
    public var metadata: [String: String]

    public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: Reading

    public static func read(contentsOf url: URL) throws -> SafetensorsArchive {
        try decode(mapped(url), path: url.path)
    }

    /// The header alone (the tensors are neither read nor checked): what a command needs to know about a
    /// model before its weights have loaded. The header's rules are checked as `read` does.
    public static func readHeader(contentsOf url: URL) throws -> SafetensorsHeader {
        let header = try headerObject(mapped(url), path: url.path).header
        return SafetensorsHeader(metadata: try metadata(in: header, path: url.path),
                                 tensorNames: Set(header.keys.filter { $0 != "__metadata__" }))
    }

    /// The header's "__metadata__" (none: empty), which must map strings to strings.
    private static func metadata(in header: [String: Any], path: String) throws -> [String: String] {
        guard let entry = header["__metadata__"] else { return [:] }
        guard let metadata = entry as? [String: String] else {
            throw SafetensorsError(path: path, problem: "__metadata__ must map strings to strings")
        }
        return metadata
    }

    /// The file's bytes, mapped rather than read: the tensors are copied once, straight from the page cache,
    /// and only the pages read are touched (facever replaces files by rename, so a mapped file never changes
    /// under the reader).
    private static func mapped(_ url: URL) throws -> Data {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            // errno's words: Foundation's error for a path through a file is only "error 256".
            throw SafetensorsError(path: url.path, problem: "cannot read the file (\(FileErrorWords.reason(errno: errno)))")
        }
        if status.st_mode & S_IFMT != S_IFREG {
            // A pipe or a device would be read without end.
            throw SafetensorsError(path: url.path, problem: "not a regular file (a folder, device or pipe)", isOtherFormat: true)
        }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafetensorsError(path: url.path, problem: "cannot read the file (\(Self.reason(error)))")
        }
    }

    /// The JSON header and the data buffer after it (a slice, not a copy), once the length prefix and the
    /// header's syntax are checked.
    private static func headerObject(_ data: Data, path: String) throws -> (header: [String: Any], buffer: Data) {
        func fail(_ problem: String) -> SafetensorsError { SafetensorsError(path: path, problem: problem) }

        guard data.count >= 8 else {
            throw fail("truncated: \(data.count) bytes, too short for the 8-byte header length")
        }
        // A header is a JSON object, and this reader takes only headers that open with "{" (as every writer
        // it has met writes them, facever's and Python's reference alike): a file whose ninth byte is
        // something else (a JPEG, a PNG, a text) is another kind of file, whatever its first eight bytes mean.
        if data.count > 8 && data[data.startIndex + 8] != UInt8(ascii: "{") {
            throw SafetensorsError(path: path, problem: "not a safetensors file: no JSON header after its first 8 bytes",
                                   isOtherFormat: true)
        }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(maximumHeaderSize) else {
            throw fail("header length \(headerLength) exceeds the \(maximumHeaderSize)-byte limit")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated: header says \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength)))
        guard headerBytes.first == UInt8(ascii: "{"),
              let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any]
        else {
            throw fail("the header is not a JSON object")
        }
        return (header, data[(data.startIndex + 8 + Int(headerLength))...])
    }

    public static func decode(_ data: Data, path: String) throws -> SafetensorsArchive {
        func fail(_ problem: String) -> SafetensorsError { SafetensorsError(path: path, problem: problem) }

        // The buffer is a slice, not a copy: the tensors are copied once, straight from the file's bytes.
        let (header, buffer) = try headerObject(data, path: path)

        var archive = SafetensorsArchive()
        var extents: [(name: String, begin: Int, end: Int)] = []
        archive.metadata = try metadata(in: header, path: path)
        for (name, entry) in header where name != "__metadata__" {
            guard let fields = entry as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int],
                  let offsets = fields["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw fail("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else {
                throw fail("tensor '\(name)' has dtype \(dtype); facever reads F32 only")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(name)' has a negative dimension in shape \(shape)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= buffer.count else {
                throw fail("tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(buffer.count)-byte data buffer (truncated?)")
            }
            // The product of a crafted shape can overflow: multiply with a check, never trap.
            let byteCount = shape.reduce(Int?(4)) { product, dimension in
                product.flatMap { value in
                    let (next, overflow) = value.multipliedReportingOverflow(by: dimension)
                    return overflow ? nil : next
                }
            }
            guard let byteCount, byteCount == end - begin else {
                throw fail("tensor '\(name)' has shape \(shape) but \(end - begin) bytes of data")
            }
            extents.append((name, begin, end))
            archive.tensors[name] = StoredTensor(shape: shape, values: floats(buffer, begin..<end))
        }
        var expectedStart = 0
        for extent in extents.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard extent.begin == expectedStart else {
                throw fail("tensor '\(extent.name)' starts at byte \(extent.begin), expected \(expectedStart): data overlaps or has a gap")
            }
            expectedStart = extent.end
        }
        guard expectedStart == buffer.count else {
            throw fail("the data buffer has \(buffer.count) bytes but the tensors cover \(expectedStart)")
        }
        return archive
    }

    /// The little-endian F32 values in `range` of the data buffer (one copy; byte-swapped only on a
    /// big-endian host).
    private static func floats(_ buffer: Data, _ range: Range<Int>) -> [Float] {
        let count = range.count / 4
        let values = [Float](unsafeUninitializedCapacity: count) { storage, initialized in
            let target = UnsafeMutableRawBufferPointer(storage)
            buffer.copyBytes(to: target.bindMemory(to: UInt8.self),
                             from: (buffer.startIndex + range.lowerBound)..<(buffer.startIndex + range.upperBound))
            initialized = count
        }
        #if _endian(big)
        return values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #else
        return values
        #endif
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }

    // MARK: Writing

    /// The header: tensors in name order, padded with spaces to a multiple of 8 bytes.
    private func headerBytes(names: [String]) -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let byteCount = tensor.values.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + byteCount]]
            offset += byteCount
        }
        if !metadata.isEmpty {
            header["__metadata__"] = metadata
        }
        var bytes = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while bytes.count % 8 != 0 {
            bytes.append(UInt8(ascii: " "))
        }
        return bytes
    }

    /// Writes the file's bytes, tensor by tensor, into `sink`.
    private func write(into sink: AtomicFile.Sink) throws {
        let names = tensors.keys.sorted()
        let header = headerBytes(names: names)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink.write($0) }
        try sink.write(header)
        for name in names {
            #if _endian(big)
            let values = tensors[name]!.values.map { Float(bitPattern: $0.bitPattern.littleEndian) }
            #else
            let values = tensors[name]!.values
            #endif
            try values.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// Writes the file atomically, streaming the tensors (no copy of the whole file in memory).
    public func write(to url: URL) throws {
        try AtomicFile.write(to: url) { sink in try write(into: sink) }
    }
}

extension ParameterContainer {
    /// Every parameter by its dotted name.
    public func storedParameters() -> [String: StoredTensor] {
        var stored: [String: StoredTensor] = [:]
        for parameter in parameters {
            stored[parameter.name!] = StoredTensor(shape: parameter.shape, values: parameter.data)
        }
        return stored
    }

    /// Copies every parameter from `archive`, after checking that all are there with the right shapes;
    /// on any mismatch nothing is changed and the error names the file and the tensor.
    public func loadParameters(from archive: SafetensorsArchive, path: String) throws {
        for parameter in parameters {
            _ = try archive.parameterValues(name: parameter.name!, shape: parameter.shape, path: path)
        }
        for parameter in parameters {
            parameter.data = archive.tensors[parameter.name!]!.values
        }
    }
}

extension SafetensorsArchive {
    /// The values of tensor `name`, checked to have `shape`.
    public func parameterValues(name: String, shape: [Int], path: String) throws -> [Float] {
        guard let stored = tensors[name] else {
            throw SafetensorsError(path: path, problem: "tensor '\(name)' is missing")
        }
        guard stored.shape == shape else {
            throw SafetensorsError(path: path, problem: "tensor '\(name)' has shape \(stored.shape) but the model expects \(shape)")
        }
        return stored.values
    }
}

extension ParameterFactory {
    /// Takes every parameter from a loaded file, checking names and shapes.
    public static func stored(in archive: SafetensorsArchive, path: String) -> ParameterFactory {
        ParameterFactory { request in
            try archive.parameterValues(name: request.name, shape: request.shape, path: path)
        }
    }
}
