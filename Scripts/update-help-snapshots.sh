#!/usr/bin/env bash
# Rewrites Tests/Fixtures/help/*.txt, the `--help` snapshots of every safekey command
# (Tests/SafeKeyTests/CLI/HelpSnapshotTests.swift), from the built binary. Run it after a
# deliberate change of flags, help texts or commands, then review `git diff Tests/Fixtures/help`.
set -euo pipefail
cd "$(dirname "$0")/.."
RELEASE=(-c release -Xswiftc -target-cpu -Xswiftc native)
swift build "${RELEASE[@]}" --build-tests
SAFEKEY_UPDATE_SNAPSHOTS=1 swift test "${RELEASE[@]}" --skip-build --filter HelpSnapshotTests.testEveryCommandsHelpMatchesItsSnapshot
git status --short Tests/Fixtures/help
