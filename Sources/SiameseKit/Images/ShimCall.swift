// ShimCall.swift — the one way SiameseKit calls the OpenCV shim: an error buffer in, the shim's
// one-line message out when the call failed (status non-zero), nil when it succeeded.
enum ShimCall {
    static func run(_ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) -> String? {
        let capacity = 512
        let error = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { error.deallocate() }
        error[0] = 0
        return call(error, capacity) == 0 ? nil : String(cString: error)
    }
}
