/* Shiftwork's shared-JDK fallback (README "Native"): libjava's JNU string helpers refuse to work until
 * InitializeEncoding has run, and SubstrateVM's start-up reaches them (JDK 25's native-access check) before it calls
 * InitializeEncoding. Linked ahead of libjava.so, these wrappers initialise UTF-8 on first use, then forward. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>

static void *libjava(void) {
    static void *h;
    if (h == NULL) h = dlopen("libjava.so", RTLD_LAZY | RTLD_NOLOAD);
    return h;
}
static void *real(const char *name) { void *h = libjava(); return h ? dlsym(h, name) : NULL; }
static void ensure(JNIEnv *env) {
    static int done;
    if (!done) {
        done = 1;
        void (*init)(JNIEnv *, const char *) = (void (*)(JNIEnv *, const char *)) real("InitializeEncoding");
        if (init) init(env, "UTF-8");
    }
}
JNIEXPORT const char *JNU_GetStringPlatformChars(JNIEnv *env, jstring s, jboolean *isCopy) {
    ensure(env);
    return ((const char *(*)(JNIEnv *, jstring, jboolean *)) real("JNU_GetStringPlatformChars"))(env, s, isCopy);
}
JNIEXPORT const char *JNU_GetStringPlatformCharsStrict(JNIEnv *env, jstring s, jboolean *isCopy) {
    ensure(env);
    return ((const char *(*)(JNIEnv *, jstring, jboolean *)) real("JNU_GetStringPlatformCharsStrict"))(env, s, isCopy);
}
JNIEXPORT jstring JNU_NewStringPlatform(JNIEnv *env, const char *s) {
    ensure(env);
    return ((jstring (*)(JNIEnv *, const char *)) real("JNU_NewStringPlatform"))(env, s);
}
