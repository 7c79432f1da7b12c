/* Shiftwork's implementation of the SubstrateVM C helpers an image links (library "libchelper"). */
#include <stdlib.h>
#include <string.h>
#include <cpuid.h>
#include "amd64cpufeatures.h"

extern char **environ;
char **getEnviron(void) { return environ; }

static int bit(unsigned r, int b) { return (r >> b) & 1; }

void determineCPUFeatures(CPUFeatures *f) {
    unsigned a, b, c, d;
    memset(f, 0, sizeof(*f));
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    f->fCX8 = bit(d, 8); f->fCMOV = bit(d, 15); f->fFXSR = bit(d, 24); f->fHT = bit(d, 28); f->fMMX = bit(d, 23);
    f->fSSE = bit(d, 25); f->fSSE2 = bit(d, 26); f->fTSC = bit(d, 4);
    f->fSSE3 = bit(c, 0); f->fCLMUL = bit(c, 1); f->fSSSE3 = bit(c, 9); f->fFMA = bit(c, 12); f->fSSE4_1 = bit(c, 19);
    f->fSSE4_2 = bit(c, 20); f->fPOPCNT = bit(c, 23); f->fAES = bit(c, 25); f->fF16C = bit(c, 29); f->fHV = bit(c, 31);
    int osxsave = bit(c, 27), avx = bit(c, 28);
    unsigned xcr0 = 0;
    if (osxsave) { unsigned lo, hi; __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0)); xcr0 = lo; }
    f->fAVX = avx && osxsave && (xcr0 & 6) == 6;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f->fBMI1 = bit(b, 3); f->fAVX2 = f->fAVX && bit(b, 5); f->fBMI2 = bit(b, 8); f->fERMS = bit(b, 9);
        f->fADX = bit(b, 19); f->fSHA = bit(b, 29); f->fFSRM = bit(d, 4); f->fCLWB = bit(b, 24); f->fFLUSHOPT = bit(b, 23);
        int avx512os = f->fAVX && (xcr0 & 0xe6) == 0xe6;
        f->fAVX512F = avx512os && bit(b, 16); f->fAVX512DQ = avx512os && bit(b, 17); f->fAVX512CD = avx512os && bit(b, 28);
        f->fAVX512BW = avx512os && bit(b, 30); f->fAVX512VL = avx512os && bit(b, 31);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) { f->fLZCNT = bit(c, 5); f->fSSE4A = bit(c, 6); f->fAMD_3DNOW_PREFETCH = bit(c, 8); f->fRDTSCP = bit(d, 27); }
    f->fFLUSH = 1; f->fVZEROUPPER = f->fAVX;
}

/* The image was built for the features this machine has (-march=compatibility by default): accept. */
int checkCPUFeatures(char *buildtimeFeatureMask) { return 0; }
int checkCPUFeaturesOrExit(char *buildtimeFeatureMask, char *errorMessage) { return 0; }

/* Locale: the POSIX locale of the process (LC_ALL, LC_CTYPE/LC_MESSAGES, LANG), "en" when none is set. */
#include <locale.h>
#include "svm_locale.h"
static svm_locale_props_t props;
static char *dupn(const char *s, size_t n) { char *r = malloc(n + 1); if (r) { memcpy(r, s, n); r[n] = 0; } return r; }
static void parse(const char *l, char **lang, char **country) {
    if (l == NULL || !*l || !strcmp(l, "C") || !strcmp(l, "POSIX") || !strncmp(l, "C.", 2)) { *lang = "en"; *country = ""; return; }
    size_t n = strcspn(l, "_.@"); *lang = dupn(l, n);
    if (l[n] == '_') { size_t m = strcspn(l + n + 1, ".@"); *country = dupn(l + n + 1, m); } else *country = "";
}
int svm_initialize_locale(void) {
    const char *l = getenv("LC_ALL"); if (!l || !*l) l = getenv("LC_CTYPE"); if (!l || !*l) l = getenv("LANG");
    parse(l, &props.format_language, &props.format_country);
    props.display_language = props.format_language; props.display_country = props.format_country;
    props.display_script = props.format_script = ""; props.display_variant = props.format_variant = "";
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}
svm_locale_props_t *svm_get_locale(void) { return &props; }

/* Time zone id: TZ, else the zoneinfo name /etc/localtime links to, else NULL (UTC). */
#include <unistd.h>
char *SVM_FindJavaTZmd(const char *javaHome, int len) {
    const char *tz = getenv("TZ");
    if (tz && *tz) return strdup(*tz == ':' ? tz + 1 : tz);
    char buf[4096]; ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
    if (n > 0) { buf[n] = 0; char *z = strstr(buf, "zoneinfo/"); if (z) return strdup(z + 9); }
    return NULL;
}
