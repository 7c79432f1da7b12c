/* Shiftwork's fallback when the JDK's static libraries cannot be built here (README "Native"): the image links
 * Temurin's shared libjava/libnio/libnet/libzip instead, and these stand in for the JNI_OnLoad_<lib> entry points
 * that only a static JDK build defines, by calling the shared library's own JNI_OnLoad. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>

static jint onload(const char *lib, JavaVM *vm, void *reserved) {
    void *h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL) return JNI_VERSION_1_8;
    jint (*f)(JavaVM *, void *) = (jint (*)(JavaVM *, void *)) dlsym(h, "JNI_OnLoad");
    jint v = f ? f(vm, reserved) : JNI_VERSION_1_8;
    /* a shared library's JNI_OnLoad may say 1.2 (libjava does); SubstrateVM wants >= 1.8 from a built-in one */
    return v < 0 || v >= JNI_VERSION_1_8 ? v : JNI_VERSION_1_8;
}
JNIEXPORT jint JNICALL JNI_OnLoad_java(JavaVM *vm, void *r) { return onload("libjava.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_nio(JavaVM *vm, void *r) { return onload("libnio.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_net(JavaVM *vm, void *r) { return onload("libnet.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_zip(JavaVM *vm, void *r) { return JNI_VERSION_1_8; }
/* jdk.net's socket options (reached by any ServerSocket): libextnet.so has no JNI_OnLoad */
JNIEXPORT jint JNICALL JNI_OnLoad_extnet(JavaVM *vm, void *r) { return JNI_VERSION_1_8; }
