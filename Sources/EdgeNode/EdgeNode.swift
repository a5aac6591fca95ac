@_exported import NMEAParser
