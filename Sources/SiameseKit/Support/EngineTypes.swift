// EngineTypes.swift — the tensor engine's types that SiameseKit's public API uses, re-exported so that
// its users (the facever command) import SiameseKit alone.
@_exported import struct Tensor.Compute
@_exported import enum Tensor.MatrixPrecision
@_exported import enum Tensor.MemoryTuning
@_exported import enum Tensor.OpenBLASThreads
