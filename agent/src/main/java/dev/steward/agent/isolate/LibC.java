package dev.steward.agent.isolate;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls the JDK does not offer: signals to process groups, pidfds and epoll. */
interface LibC extends Library {
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
}
