#!/usr/bin/env bash
# Assembles a `native-image` toolchain for Shiftwork from Maven Central and Debian's packages only, into a cache
# outside the source tree:  $SHIFTWORK_NATIVE_CACHE (default ~/.cache/shiftwork-native)/graalvm-<svm>-temurin-<jdk>-<sources>
#   bin/…, lib/…        a hard-linked copy of Temurin 25 (the builder needs java.home to hold lib/svm)
#   bin/native-image    native/native-image (this repo's launcher: GraalVM's own is not on Maven Central)
#   lib/svm/builder     the SubstrateVM builder jars, pinned by version and sha256
#   lib/svm/builder/lib libreporterchelper.so, compiled here from native/c
#   lib/svm/clibraries  the C helpers the image links (liblibchelper.a...), compiled here from native/c
#   lib/static          the JDK's static libraries (libjava.a, libnio.a, libnet.a, libzip.a): see README "Native"
# Prints the home to use as GRAALVM_HOME on its last line. Idempotent: a finished home is reused.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
JDK="${SHIFTWORK_NATIVE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SVM_VERSION=25.0.4
CACHE="${SHIFTWORK_NATIVE_CACHE:-$HOME/.cache/shiftwork-native}"
JDK_VERSION="$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/{print $2}')"
# the home's name carries a digest of this directory's sources (script, launcher, C helpers): a change to any of them
# assembles a new home instead of silently reusing one built from older sources
SOURCES="$(cd "$HERE" && sha256sum toolchain.sh native-image c/* | sha256sum | cut -c1-12)"   # names and contents
GH="$CACHE/graalvm-$SVM_VERSION-temurin-$JDK_VERSION-$SOURCES"
NICE="nice -n 19"

# group:artifact  sha256 (Maven Central, version $SVM_VERSION: svm and its whole dependency tree)
JARS="
org.graalvm.nativeimage:svm 39187df94c72f6e6634daad9fc007ca3d918992dafb1f34da0dcdfb3b1db0437
org.graalvm.nativeimage:pointsto 91e9db82266a39c07009b360c31530585a9a8334417495a5e241c1b61ea4bbf6
org.graalvm.nativeimage:objectfile 0d61b2f513658944778cb079347b4357379854df11b9841ae0951e3a672e9da6
org.graalvm.nativeimage:native-image-base 6226b125fa9ec8eb8c3a08d6d532314375717a78c301a12e29ab4f1bb99d2ef5
org.graalvm.nativeimage:svm-capnproto-runtime 1db6b2a3135df3fd4a7ea4a60d29189b215f3c9b286632aac8c92839039936e3
org.graalvm.nativeimage:svm-configure 85b8f048093efef184090679b8a0facf1e693481f861792efdba66662db4d1ef
org.graalvm.compiler:compiler 16efb7edf503b9dbd93666c3f93e03ba76f42f0d1ef410d394ef8abf6e9b6d94
org.graalvm.sdk:nativeimage a42f260174e9a059ecfbbca2aa5b8243e80e84b9dc3f70096a5213aebbeac450
org.graalvm.sdk:nativeimage-libgraal fa760372843d1bb56b0e2905d298afbee20acb52e02f5c8573d9a5a8553c712c
org.graalvm.sdk:word b91cd74e61e6257416f52dac5925e3a9d03b756035d48f4e8c56106fe11d7eff
org.graalvm.sdk:collections f78840945e4d746ca37aadd3d04a3266c3b7fd644a303d5b85fb03aa012b4fd4
org.graalvm.truffle:truffle-compiler 3e9973775adb2f6c276fadfff2ef12ac4f20e71f8bbc12c773d36c90c8471c00
org.graalvm.espresso:espresso-svm aea983181a205ebcf2da34faec633b95ea12547e78a573e0c5aa6a78cb566efb
"

# one assembly at a time per cache: a second run waits, then reuses what the first assembled
mkdir -p "$CACHE"; exec 9>"$CACHE/.lock"; flock 9
if [ -f "$GH/.complete" ] && [ "${1:-}" != "--force" ]; then touch "$GH"; ln -sfn "$GH" "$CACHE/current"; echo "$GH"; exit 0; fi
command -v gcc >/dev/null || { echo "gcc missing: apt-get install -y gcc" >&2; exit 1; }
[ -f /usr/include/zlib.h ] || { echo "zlib1g-dev missing: apt-get install -y zlib1g-dev" >&2; exit 1; }
[ -x "$JDK/bin/java" ] || { echo "Temurin 25 not found at $JDK" >&2; exit 1; }

echo "== JDK copy: $JDK ($JDK_VERSION) -> $GH" >&2
rm -rf "$GH.tmp"; mkdir -p "$CACHE"
cp -al "$JDK" "$GH.tmp" 2>/dev/null || cp -a "$JDK" "$GH.tmp"
mkdir -p "$GH.tmp/lib/svm/builder/lib" "$GH.tmp/lib/svm/clibraries/linux-amd64/glibc/include" "$GH.tmp/lib/static/linux-amd64/glibc"
echo "$SVM_VERSION" > "$GH.tmp/lib/svm/VERSION"; echo "$JDK_VERSION" > "$GH.tmp/lib/svm/JDK_VERSION"

echo "== builder jars from Maven Central ($SVM_VERSION)" >&2
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
echo "$JARS" | while read -r ga sum; do
  [ -n "$ga" ] || continue
  g="${ga%%:*}"; a="${ga##*:}"; f="$M2/${g//.//}/$a/$SVM_VERSION/$a-$SVM_VERSION.jar"
  [ -f "$f" ] || $NICE "$HERE/../mvnw" -B -q dependency:get -Dartifact="$ga:$SVM_VERSION" -Dtransitive=false >&2
  echo "$sum  $f" | sha256sum -c --quiet - >&2 || { echo "checksum mismatch: $f" >&2; exit 1; }
  cp "$f" "$GH.tmp/lib/svm/builder/"
done

echo "== module exports for the builder" >&2
TGT=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,jdk.graal.compiler,org.graalvm.nativeimage.configure,ALL-UNNAMED
for m in java.base jdk.internal.vm.ci jdk.jfr jdk.management jdk.internal.jvmstat java.management jdk.net jdk.unsupported \
         java.xml jdk.zipfs jdk.localedata java.desktop jdk.attach java.logging jdk.jdeps java.security.jgss; do
  "$JDK/bin/java" --describe-module "$m" 2>/dev/null \
    | awk -v m="$m" -v t="$TGT" '$1=="contains"{print "--add-exports=" m "/" $2 "=" t} $1=="qualified"{print "--add-exports=" m "/" $3 "=" t}'
done | sort -u > "$GH.tmp/lib/svm/exports.args"

echo "== C helpers (gcc)" >&2
$NICE gcc -O2 -shared -fPIC -I"$JDK/include" -I"$JDK/include/linux" -o "$GH.tmp/lib/svm/builder/lib/libreporterchelper.so" "$HERE/c/reporterchelper.c"
if [ -x "$HERE/c/build.sh" ]; then $NICE bash "$HERE/c/build.sh" "$GH.tmp" "$JDK" >&2; fi

echo "== JDK static libraries (java, nio, net, zip)" >&2
# The real thing: compile them from Debian's openjdk-25 source package. Its versions are listed by the archive
# indexes (trixie 25.0.5+8-1~deb13u1, trixie-security 25.0.2+10-1~deb13u2 and 25.0.5.1+2-1~deb13u1, sid 25.0.5+8-1
# and 25.0.5.0.3+1-1) but every file of them answers 404 on the machines this project runs on (re-checked
# 2026-12-01), and no Debian binary package ships libjava.a (trixie's Contents-amd64; openjdk-25-jdk-headless has
# none; README "Native"). So this asks once, with a private apt state (no change to the machine's sources), and
# otherwise falls back to linking the JDK's shared libraries (lib/svm/DYNAMIC_JDK): the binary then needs $JDK/lib
# (libjava, libnio, libnet, libzip, libextnet and, through libjava, server/libjvm.so) at run time.
APT="$CACHE/apt"; mkdir -p "$APT/lists/partial" "$APT/src"
cat > "$APT/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
SRC
APTO=(-o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$APT/lists" -o APT::Get::List-Cleanup=0)
STATIC="$GH.tmp/lib/static/linux-amd64/glibc"
if [ ! -f "$APT/src/.tried" ]; then
  $NICE apt-get -qq "${APTO[@]}" update >&2 || true
  (cd "$APT/src" && $NICE apt-get -q "${APTO[@]}" source --download-only openjdk-25 >&2) || echo "openjdk-25 source not served here" >&2
  touch "$APT/src/.tried"
fi
if ls "$APT"/src/openjdk-25_*.orig.tar.xz >/dev/null 2>&1; then
  echo "openjdk-25 source present: the static build from it is not written yet (README Native); using the fallback" >&2
fi
gcc -O2 -fPIC -I"$JDK/include" -I"$JDK/include/linux" -c -o "$STATIC/dynamicjdk.o" "$HERE/c/dynamicjdk.c"
ar rcs "$STATIC/libjava.a" "$STATIC/dynamicjdk.o"; rm -f "$STATIC/dynamicjdk.o"
for l in nio net zip; do ar rcs "$STATIC/lib$l.a"; done
echo "$JDK/lib" > "$GH.tmp/lib/svm/DYNAMIC_JDK"

echo "== launcher" >&2
cp "$HERE/native-image" "$GH.tmp/bin/native-image"; chmod +x "$GH.tmp/bin/native-image"

rm -rf "$GH"; mv "$GH.tmp" "$GH"; touch "$GH/.complete"
ln -sfn "$GH" "$CACHE/current"
# homes assembled from other sources, untouched for a day, go (another checkout may still use a recent one)
find "$CACHE" -maxdepth 1 -name 'graalvm-*' -type d ! -path "$GH" -mtime +0 -exec rm -rf {} + 2>/dev/null || true
echo "$GH"
