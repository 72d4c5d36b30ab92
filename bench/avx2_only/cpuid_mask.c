/* Make this process see an AVX2-only x86 CPU: no AVX-512, no VNNI, no bf16, no AMX.
 *
 * Why: ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 cap PyTorch, but ONNX Runtime (MLAS),
 * FAISS's loader (through NumPy) and the peers' libraries read the CPU's features with the CPUID
 * instruction and have no such switch. Linux can make CPUID fault (arch_prctl ARCH_SET_CPUID, on
 * CPUs with the cpuid_fault flag); this library, loaded with LD_PRELOAD, turns that on before
 * anything else runs and answers each CPUID itself: the real answer, less the feature bits of an
 * AVX-512 / VNNI / AMX machine. The setting is per thread, inherited by threads and forks, and
 * reset by exec, where LD_PRELOAD loads this library again.
 *
 * A program's own SIGSEGV handler (Python's faulthandler, which pytest turns on) would replace
 * this one and crash at the next CPUID, so sigaction() and signal() are interposed for SIGSEGV:
 * the program's handler is kept aside and called for every fault that is not a CPUID.
 *
 * Use through bench/avx2_only.py, which compiles it. NEWSDESK_CPUID_REPORT=1 prints, at exit, how
 * many CPUIDs were answered (a few hundred at start-up, none per question, so no cost measured).
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define BIT(n) (1u << (n))

/* CPUID leaf 7, subleaf 0 (Intel SDM vol. 2A, table 3-8; AMD APM vol. 3, E.3.6). */
static const uint32_t LEAF7_EBX = BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31);
/* AVX512F, DQ, IFMA, PF, ER, CD, BW, VL */
static const uint32_t LEAF7_ECX = BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14);
/* AVX512_VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */
static const uint32_t LEAF7_EDX = BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | BIT(24) | BIT(25);
/* AVX512_4VNNIW, 4FMAPS, VP2INTERSECT, AMX_BF16, AVX512_FP16, AMX_TILE, AMX_INT8 */
/* Leaf 7, subleaf 1, EAX: AVX_VNNI, AVX512_BF16. */
static const uint32_t LEAF7_1_EAX = BIT(4) | BIT(5);
/* Leaf 0xD, subleaf 0, EAX: the opmask and ZMM register states (XCR0 bits 5-7). */
static const uint32_t LEAFD_EAX = BIT(5) | BIT(6) | BIT(7);

static volatile unsigned long answered;
static int installed;
/* The SIGSEGV handler the program believes it has: SIG_DFL until it sets one. */
static struct sigaction theirs;
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

static int call_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    if (!real_sigaction)
        real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    return real_sigaction(sig, act, old);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    if (sig != SIGSEGV || !installed)
        return call_real_sigaction(sig, act, old);
    if (old)
        *old = theirs;
    if (act)
        theirs = *act;
    return 0;
}

sighandler_t signal(int sig, sighandler_t handler) {
    if (sig != SIGSEGV || !installed) { /* every other signal exactly as glibc sets it */
        sighandler_t (*real_signal)(int, sighandler_t) = (sighandler_t (*)(int, sighandler_t))dlsym(RTLD_NEXT, "signal");
        return real_signal(sig, handler);
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART; /* glibc's signal() semantics */
    sigemptyset(&act.sa_mask);
    sigaction(sig, &act, &old);
    return old.sa_handler;
}

/* A fault that is not a CPUID: what the program asked for, else the default (the process dies). */
static void pass_on(int sig, siginfo_t *info, void *context) {
    if ((theirs.sa_flags & SA_SIGINFO) && theirs.sa_sigaction) {
        theirs.sa_sigaction(sig, info, context);
        return;
    }
    if (theirs.sa_handler != SIG_DFL && theirs.sa_handler != SIG_IGN) {
        theirs.sa_handler(sig);
        return;
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    call_real_sigaction(sig, &fallback, NULL);
    raise(sig);
}

static long set_cpuid(int enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

static void masked_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
    set_cpuid(1); /* let this thread run the real instruction once */
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
    set_cpuid(0);
    if (leaf == 7 && subleaf == 0) {
        r[1] &= ~LEAF7_EBX;
        r[2] &= ~LEAF7_ECX;
        r[3] &= ~LEAF7_EDX;
    } else if (leaf == 7 && subleaf == 1) {
        r[0] &= ~LEAF7_1_EAX;
    } else if (leaf == 0xD && subleaf == 0) {
        r[0] &= ~LEAFD_EAX;
    }
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    greg_t *regs = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)regs[REG_RIP];
    /* A faulting CPUID is a general-protection fault, which Linux reports as SI_KERNEL. */
    if (info->si_code == SI_KERNEL && ip[0] == 0x0f && ip[1] == 0xa2) {
        uint32_t r[4];
        masked_cpuid((uint32_t)regs[REG_RAX], (uint32_t)regs[REG_RCX], r);
        regs[REG_RAX] = r[0];
        regs[REG_RBX] = r[1];
        regs[REG_RCX] = r[2];
        regs[REG_RDX] = r[3];
        regs[REG_RIP] += 2;
        answered++;
        return;
    }
    pass_on(sig, info, context); /* any other fault: as without this library */
}

static void report(void) {
    if (getenv("NEWSDESK_CPUID_REPORT"))
        fprintf(stderr, "cpuid_mask: answered %lu CPUID instructions in process %d\n", answered, getpid());
}

__attribute__((constructor)) static void start(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    theirs.sa_handler = SIG_DFL;
    if (call_real_sigaction(SIGSEGV, &action, NULL) != 0 || set_cpuid(0) != 0) {
        fprintf(stderr, "cpuid_mask: this CPU or kernel cannot make CPUID fault (no cpuid_fault flag); "
                        "run without LD_PRELOAD on a real AVX2 machine instead\n");
        _exit(3);
    }
    installed = 1;
    atexit(report);
}
