# Sourced by ./imprint and ./run-tests: points JAVA_HOME at a JDK 25 (or newer) without manual steps.
# Order: $IMPRINT_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/* (Temurin 25 lives there on our machines), java on PATH.

imprint_java_major() {  # prints the major version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

imprint_find_jdk() {
  local c v
  for c in "${IMPRINT_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* \
           "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(imprint_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}

if ! JAVA_HOME=$(imprint_find_jdk); then
  echo "imprint: no JDK 25 found (looked at \$IMPRINT_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm/*, javac on PATH); install Temurin 25 or set IMPRINT_JAVA_HOME" >&2
  exit 2
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
