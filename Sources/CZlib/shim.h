// zlib (Debian: zlib1g-dev, pkg-config `zlib`; part of the SDK on Apple platforms), used to read
// gzip files such as HumanEval.jsonl.gz (SafetyEval's `GzipFile`).
#include <zlib.h>
