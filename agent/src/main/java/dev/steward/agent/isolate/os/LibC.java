package dev.steward.agent.isolate.os;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls the JDK does not offer: signals to process groups, pidfds, epoll, holes in files. */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int SIGKILL = 9;
    int SIGTERM = 15;
    int SIGCONT = 18;
    int SIGSTOP = 19;
    long SYS_PIDFD_OPEN = 434;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLLIN = 1;

    int kill(int pid, int sig);

    long syscall(long number, Object... args);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    int close(int fd);

    int CLONE_NEWNET = 0x40000000;
    int O_CLOEXEC = 0x80000;

    int open(String path, int flags);

    /** Allocates or (with FALLOC_FL_PUNCH_HOLE) frees a range of the file {@code fd} names. */
    int fallocate(int fd, int mode, long offset, long len);

    /** Moves the calling thread into the namespace {@code fd} names. */
    int setns(int fd, int nstype);

    long MS_BIND = 4096;
    int MNT_DETACH = 2;

    /** Mounts {@code source} at {@code target} (with MS_BIND: the same file or folder seen at a second place). */
    int mount(String source, String target, String fstype, long flags, Pointer data);

    int umount2(String target, int flags);

    int WNOHANG = 1;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    short POSIX_SPAWN_SETSID = 0x80;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0x40;
    int O_APPEND = 0x400;

    int waitpid(int pid, com.sun.jna.ptr.IntByReference status, int options);

    int posix_spawnp(com.sun.jna.ptr.IntByReference pid, String file, Pointer fileActions, Pointer attr,
                     com.sun.jna.StringArray argv, com.sun.jna.StringArray envp);

    int posix_spawn_file_actions_init(Pointer fa);

    int posix_spawn_file_actions_destroy(Pointer fa);

    int posix_spawn_file_actions_addopen(Pointer fa, int fd, String path, int oflag, int mode);

    int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newfd);

    int posix_spawn_file_actions_addchdir_np(Pointer fa, String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    String strerror(int errnum);
}
