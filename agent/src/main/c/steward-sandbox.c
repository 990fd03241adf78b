/*
 * steward-sandbox: starts one sandboxed instance in a single exec.
 *
 *   steward-sandbox [--net | --netns PATH] [--user UID:GID[:NAME]] [--join FILE]... -- PROGRAM [ARG...]
 *   steward-sandbox --plain [--netns PATH] [--user UID:GID[:NAME]] [--join FILE]... -- PROGRAM [ARG...]
 *
 * It joins the given cgroup.procs files (before anything else runs, so nothing escapes the
 * limits), makes new PID, mount, IPC, UTS (and with --net, network) namespaces, and forks an init
 * that is pid 1 inside: it mounts a fresh /proc, brings loopback up, sets no_new_privs, switches
 * user, runs PROGRAM, forwards SIGTERM, SIGINT and SIGHUP to it, reaps orphans, and exits with
 * PROGRAM's status. This outer process forwards the same signals to the init and exits with its
 * status (128+N for a signal), so the agent sees the program's end as this process's end.
 *
 * With --netns PATH it first enters the network namespace at PATH (a /run/netns file), so the program
 * runs in it without an nsenter in between.
 *
 * With --plain (the process isolate) it only joins the cgroups (and with --user sets no_new_privs and
 * switches user) and then execs PROGRAM in place: same pid, session and process group, no
 * namespaces, no init.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t target = 0;

static void forward(int sig) {
    if (target > 0) kill(target, sig);
}

static void die(const char *what) {
    fprintf(stderr, "steward-sandbox: %s: %s\n", what, strerror(errno));
    _exit(125);
}

/* Enters the network namespace at path, for this process and all it starts. */
static void enter_netns(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(path);
    if (setns(fd, CLONE_NEWNET) != 0) die("enter the network namespace");
    close(fd);
}

static void on_signals(void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int status_of(int st) {
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
}

/* no_new_privs, then (with --user UID:GID[:NAME]) that user's groups, group and user, for good. */
static void become(const char *user) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
    if (!user) return;
    unsigned uid, gid;
    char name[64] = "";
    if (sscanf(user, "%u:%u:%63s", &uid, &gid, name) < 2) { errno = EINVAL; die("--user"); }
    if (name[0] ? initgroups(name, gid) != 0 : setgroups(0, NULL) != 0) die("groups");
    if (setgid(gid) != 0) die("setgid");
    if (setuid(uid) != 0) die("setuid");
}

/* pid 1 inside the namespaces: prepare, run the program, reap, forward, exit with its status. */
static int init(char **argv, int net, const char *user) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make / private");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mount /proc");
    if (net) loopback_up();
    become(user);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        on_signals(SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "steward-sandbox: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    target = child;
    on_signals(forward);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p == child) return status_of(st);
        if (p < 0 && errno == ECHILD) return 0;
    }
}

int main(int argc, char **argv) {
    int net = 0, plain = 0, i = 1;
    const char *user = NULL, *netns = NULL;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--net") == 0) {
            net = 1;
        } else if (strcmp(argv[i], "--plain") == 0) {
            plain = 1;
        } else if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) {
            netns = argv[++i];
        } else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
            user = argv[++i];
        } else if (strcmp(argv[i], "--join") == 0 && i + 1 < argc) {
            int fd = open(argv[++i], O_WRONLY | O_CLOEXEC);
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%d\n", getpid());
            if (fd < 0 || write(fd, pid, n) != n) die(argv[i]);
            close(fd);
        } else {
            fprintf(stderr, "steward-sandbox: unknown option %s\n", argv[i]);
            return 125;
        }
    }
    if (i + 1 >= argc || (plain && net) || (net && netns)) {
        fprintf(stderr, "usage: steward-sandbox [--net | --netns PATH] [--user UID:GID[:NAME]] [--join FILE]... -- PROGRAM [ARG...]\n"
                        "       steward-sandbox --plain [--netns PATH] [--user UID:GID[:NAME]] [--join FILE]... -- PROGRAM [ARG...]\n");
        return 125;
    }
    if (netns) enter_netns(netns);
    if (plain) {
        if (user) become(user);
        execvp(argv[i + 1], argv + i + 1);
        fprintf(stderr, "steward-sandbox: cannot run %s: %s\n", argv[i + 1], strerror(errno));
        return 127;
    }
    int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (net ? CLONE_NEWNET : 0);
    if (unshare(flags) != 0) die("unshare");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) _exit(init(argv + i + 1, net, user));
    target = child;
    on_signals(forward);
    int st;
    while (waitpid(child, &st, 0) < 0) {
        if (errno != EINTR) die("wait");
    }
    return status_of(st);
}
