// Canvas.swift — an RGB picture to draw plots on: antialiased lines and circles, filled rectangles and
// text (OpenCV's imgproc through the shim, which clips everything to the picture). Coordinates are pixels,
// x to the right, y down.
import COpenCVShim
import Foundation

public struct Colour: Equatable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let white = Colour(255, 255, 255)
    public static let black = Colour(0, 0, 0)
    public static let grid = Colour(228, 228, 228)
    public static let axis = Colour(90, 90, 90)
    /// Series colours distinguishable with the common colour-vision deficiencies (Okabe–Ito).
    public static let blue = Colour(0, 114, 178)
    public static let orange = Colour(230, 159, 0)
    public static let green = Colour(0, 158, 115)
    public static let vermilion = Colour(213, 94, 0)
    public static let purple = Colour(204, 121, 167)

    var bytes: [UInt8] { [red, green, blue] }
}

public struct Canvas {
    public let width: Int
    public let height: Int
    private var pixels: [UInt8]

    public init(width: Int, height: Int, background: Colour = .white) {
        precondition(width > 0 && height > 0 && width <= 16384 && height <= 16384, "Canvas: bad size \(width)×\(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for offset in stride(from: 0, to: pixels.count, by: 3) {
            pixels[offset] = background.red
            pixels[offset + 1] = background.green
            pixels[offset + 2] = background.blue
        }
    }

    public var image: RGBImage { RGBImage(width: width, height: height, pixels: pixels) }

    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, colour: Colour, thickness: Int = 1) {
        draw { pixels, width, height, error, capacity in
            fv_draw_line(pixels, width, height, Self.pixel(x0), Self.pixel(y0), Self.pixel(x1), Self.pixel(y1),
                         colour.bytes, Int32(thickness), error, capacity)
        }
    }

    /// A polyline through `points`, skipping none (points outside the canvas are clipped).
    public mutating func polyline(_ points: [(x: Double, y: Double)], colour: Colour, thickness: Int = 2) {
        for (from, to) in zip(points, points.dropFirst()) { line(from.x, from.y, to.x, to.y, colour: colour, thickness: thickness) }
    }

    public mutating func fillRectangle(x: Double, y: Double, width rectangleWidth: Double, height rectangleHeight: Double, colour: Colour) {
        draw { pixels, width, height, error, capacity in
            fv_fill_rectangle(pixels, width, height, Self.pixel(x), Self.pixel(y), Self.pixel(rectangleWidth),
                              Self.pixel(rectangleHeight), colour.bytes, error, capacity)
        }
    }

    public mutating func circle(x: Double, y: Double, radius: Int, colour: Colour, filled: Bool = true) {
        draw { pixels, width, height, error, capacity in
            fv_draw_circle(pixels, width, height, Self.pixel(x), Self.pixel(y), Int32(radius), colour.bytes,
                           filled ? -1 : 2, error, capacity)
        }
    }

    public enum Alignment { case left, centre, right }

    /// `text` with its baseline at `y`, placed by `alignment` around `x`.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 0.5, colour: Colour = .black,
                              alignment: Alignment = .left, bold: Bool = false) {
        let printable = Self.printable(text)
        let thickness = bold ? 2 : 1
        let measured = Self.textWidth(printable, size: size, thickness: thickness)
        let left = alignment == .left ? x : (alignment == .centre ? x - measured / 2 : x - measured)
        draw { pixels, width, height, error, capacity in
            fv_draw_text(pixels, width, height, printable, Self.pixel(left), Self.pixel(y), size, colour.bytes,
                         Int32(thickness), error, capacity)
        }
    }

    /// The width in pixels `text` takes at `size`.
    public static func textWidth(_ text: String, size: Double = 0.5, thickness: Int = 1) -> Double {
        var width: Int32 = 0, height: Int32 = 0, baseline: Int32 = 0
        _ = ShimCall.run { fv_text_size(printable(text), size, Int32(thickness), &width, &height, &baseline, $0, $1) }
        return Double(width)
    }

    /// The Hershey font has ASCII only: anything else becomes '?', so a name never draws garbage.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "?" })
    }

    private static func pixel(_ value: Double) -> Int32 {
        Int32(max(-100_000, min(100_000, value.isFinite ? value.rounded() : 0)))
    }

    /// Drawing cannot fail on a valid canvas with valid colours; a failure would be a bug, not an input.
    private mutating func draw(_ call: (UnsafeMutablePointer<UInt8>, Int32, Int32, UnsafeMutablePointer<CChar>, Int) -> Int32) {
        let (width, height) = (Int32(self.width), Int32(self.height))
        let problem = pixels.withUnsafeMutableBufferPointer { buffer in ShimCall.run { call(buffer.baseAddress!, width, height, $0, $1) } }
        precondition(problem == nil, "Canvas: \(problem ?? "")")
    }
}
