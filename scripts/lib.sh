# Shared by the scripts: where the environment lives.
ROOTFS="$(pwd)/.cache/rootfs"

# Print a python3.14 (>= 3.14.2) found on PATH, or fail.
native_python() {
  local p
  for p in python3.14 python3; do
    if command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import sys; sys.exit(sys.version_info < (3, 14, 2))' 2>/dev/null; then
      command -v "$p"
      return 0
    fi
  done
  return 1
}
