//! The function's processes: spawned in a process group of their own so that the whole tree (the
//! interpreter and anything the function starts) can be ended at once, tied to our life on Linux with
//! the parent-death signal, and measured (resident memory of the group) through `/proc`.

use tokio::process::Command;

/// Puts the command's process in a new process group and, on Linux, asks the kernel to kill it when
/// this process dies. The parent-death signal reaches only that one process; [`spawn_watchdog`] takes
/// care of the rest of the group.
pub fn isolate(cmd: &mut Command) {
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    {
        // `pre_exec` is unsafe because the closure runs between fork and exec, where only
        // async-signal-safe calls are allowed. `prctl(PR_SET_PDEATHSIG)` is a single system call with no
        // allocation or locking, so it is safe there; there is no safe API for it in std.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).map_err(std::io::Error::from)
            });
        }
    }
    // Elsewhere the fallback is the child handle's kill on drop.
    cmd.kill_on_drop(true);
}

/// The environment variable that marks every process of one invocation (`MARK_VAR=<request id>`).
/// Children inherit it, including daemons that double-fork and `setsid` out of the process group,
/// which `killpg` cannot reach; [`kill_marked`] finds them by it in `/proc/*/environ` (the
/// environment a process started with, which it cannot hide by changing its own `os.environ`).
pub const MARK_VAR: &str = "_SAMWISE_INVOCATION";

/// The `MARK_VAR=...` entry for the invocation `id`.
pub fn mark(id: &str) -> String {
    format!("{MARK_VAR}={id}")
}

/// Starts a watchdog in process group `pgid`: a shell that waits for EOF on its stdin and then kills
/// the processes marked with `mark` (see [`MARK_VAR`]) and its whole group. The caller keeps the stdin
/// pipe open for as long as it lives, so when it dies without cleaning up (SIGKILL, a crash) the
/// function's processes, including any children and daemons the function started, die too. It does
/// not depend on the interpreter being responsive, and works for custom runtimes alike. `None` when it
/// cannot be started (the group is already gone).
#[cfg(unix)]
pub fn spawn_watchdog(pgid: u32, mark: &str) -> Option<tokio::process::Child> {
    // One grep over every process's environment (NUL-separated entries, matched whole); the
    // watchdog's own environment holds the mark only as the value of another variable, so it does not
    // match itself, and grep inherits the watchdog's.
    let script = r#"read _
for f in $(grep -lsxzF "$_SAMWISE_SWEEP" /proc/[0-9]*/environ); do p=${f#/proc/}; kill -KILL "${p%/environ}"; done
kill -KILL 0"#;
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", script])
        .env("_SAMWISE_SWEEP", mark)
        .process_group(pgid as i32)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd.spawn().ok()
}

/// Kills every process in the group led by `pid` (the function's process tree). Killing an already
/// finished group is not an error.
#[cfg(unix)]
pub fn kill_group(pid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
}

/// Kills every process marked with `mark` (see [`MARK_VAR`]) but this one, until no new one appears
/// (a process may fork between the scan and its kill; a killed one cannot fork any more). Returns how
/// many were killed. Used after [`kill_group`], so it normally finds only daemons that left the group.
#[cfg(target_os = "linux")]
pub fn kill_marked(mark: &str) -> usize {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let mut killed: Vec<u32> = Vec::new();
    loop {
        let fresh: Vec<u32> = marked_processes(mark).into_iter().filter(|p| !killed.contains(p)).collect();
        if fresh.is_empty() {
            return killed.len();
        }
        for pid in fresh {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            killed.push(pid);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn kill_marked(_mark: &str) -> usize {
    0
}

/// The live processes (but this one) whose environment holds the entry `mark`.
#[cfg(target_os = "linux")]
pub fn marked_processes(mark: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        // Unreadable (another user's process, or gone): not ours. A zombie's environment reads empty.
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else { continue };
        if environ.split(|b| *b == 0).any(|entry| entry == mark.as_bytes()) {
            out.push(pid);
        }
    }
    out
}

/// Without process groups, only the direct child can be killed; callers also kill the child handle.
#[cfg(not(unix))]
pub fn kill_group(_pid: u32) {}

/// Whether any process of the group led by `pgid` is still alive (zombies excluded).
#[cfg(target_os = "linux")]
pub fn group_alive(pgid: u32) -> bool {
    !group_members(pgid).is_empty()
}

/// Resident memory of the process group led by `pgid`, in bytes, leaving out `exclude` (our
/// watchdog, which is not the function's) (Linux; `None` elsewhere).
#[cfg(target_os = "linux")]
pub fn group_rss_bytes(pgid: u32, exclude: Option<u32>) -> Option<u64> {
    let mut members = group_members(pgid);
    members.retain(|pid| Some(*pid) != exclude);
    if members.is_empty() {
        return None;
    }
    Some(members.iter().filter_map(|pid| status_kb(*pid, "VmRSS:")).sum::<u64>() * 1024)
}

#[cfg(not(target_os = "linux"))]
pub fn group_rss_bytes(_pgid: u32, _exclude: Option<u32>) -> Option<u64> {
    None
}

/// Peak resident memory of one process (`VmHWM`), in bytes; catches peaks between two samples.
#[cfg(target_os = "linux")]
pub fn peak_rss_bytes(pid: u32) -> Option<u64> {
    status_kb(pid, "VmHWM:").map(|kb| kb * 1024)
}

#[cfg(not(target_os = "linux"))]
pub fn peak_rss_bytes(_pid: u32) -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// The live (non-zombie) processes whose process group is `pgid`.
#[cfg(target_os = "linux")]
pub fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name is parenthesised and may contain spaces: fields are counted after the last ')'.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        let mut fields = after.split_whitespace();
        let state = fields.next();
        let _ppid = fields.next();
        let pgrp = fields.next().and_then(|s| s.parse::<u32>().ok());
        if pgrp == Some(pgid) && state != Some("Z") && state != Some("X") {
            out.push(pid);
        }
    }
    out
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watchdog_kills_the_group_when_its_stdin_closes() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        isolate(&mut cmd);
        let mut child = cmd.spawn().unwrap();
        let pid = child.id().unwrap();
        let mut watchdog = spawn_watchdog(pid, &mark("unit-test-watchdog")).unwrap();
        // Closing the pipe is what the kernel does when this process dies.
        drop(watchdog.stdin.take());
        child.wait().await.unwrap();
        watchdog.wait().await.unwrap();
        assert!(!group_alive(pid));
    }

    /// A daemon that left the group (setsid) carries the mark in its environment: the watchdog's
    /// sweep and `kill_marked` both reach it, and nothing unmarked is touched.
    #[tokio::test]
    async fn marked_daemons_outside_the_group_are_found_and_killed() {
        for by_watchdog in [false, true] {
            let id = format!("unit-test-daemon-{}-{by_watchdog}", std::process::id());
            let mut cmd = Command::new("sh");
            // The daemon prints its pid once it is outside the group; the shell then waits.
            cmd.args(["-c", "setsid sh -c 'echo $$; exec sleep 30' & wait"])
                .env(MARK_VAR, &id)
                .stdout(std::process::Stdio::piped());
            isolate(&mut cmd);
            let mut child = cmd.spawn().unwrap();
            let pid = child.id().unwrap();
            let mut watchdog = spawn_watchdog(pid, &mark(&id)).unwrap();
            let mut line = String::new();
            let stdout = child.stdout.take().unwrap();
            tokio::io::AsyncBufReadExt::read_line(&mut tokio::io::BufReader::new(stdout), &mut line).await.unwrap();
            let daemon: u32 = line.trim().parse().unwrap();
            assert!(!group_members(pid).contains(&daemon), "the daemon left the group");
            assert!(marked_processes(&mark(&id)).contains(&daemon));
            if by_watchdog {
                drop(watchdog.stdin.take());
                watchdog.wait().await.unwrap();
            } else {
                kill_group(pid);
                assert!(kill_marked(&mark(&id)) >= 1);
                let _ = watchdog.start_kill();
            }
            child.wait().await.unwrap();
            // SIGKILL cannot be ignored: the daemon is at worst an unreaped zombie, whose environment
            // reads empty. Its end is not awaitable (not our child), so poll briefly.
            for _ in 0..200 {
                if marked_processes(&mark(&id)).is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            assert!(marked_processes(&mark(&id)).is_empty(), "by_watchdog={by_watchdog}");
        }
    }

    #[tokio::test]
    async fn kills_the_whole_group() {
        let mut cmd = Command::new("sh");
        // The shell starts a grandchild and waits; both must die with the group.
        cmd.args(["-c", "sleep 30 & wait"]);
        isolate(&mut cmd);
        let mut child = cmd.spawn().unwrap();
        let pid = child.id().unwrap();
        // Wait (by polling the process table, which has no notification) until the grandchild exists.
        let mut members = Vec::new();
        for _ in 0..200 {
            members = group_members(pid);
            if members.len() >= 2 {
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(members.len() >= 2, "sh and sleep expected in group {pid}: {members:?}");
        assert!(group_rss_bytes(pid, None).unwrap() > 0);
        kill_group(pid);
        child.wait().await.unwrap();
        // The orphaned grandchild is reaped by init asynchronously; SIGKILL is not ignorable, so it
        // is at worst a zombie, which group_members excludes.
        for _ in 0..200 {
            if !group_alive(pid) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(!group_alive(pid), "group {pid} survived: {:?}", group_members(pid));
    }
}
