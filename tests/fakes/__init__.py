"""Small real HTTP servers standing in for outside systems (ThingsBoard, the shop), used by the
tests and the benchmarks. Each speaks the system's wire format and can be told to fail."""
