import NMEAParser
