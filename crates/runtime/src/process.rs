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

/// Starts a watchdog in process group `pgid`: a shell that waits for EOF on its stdin and then kills
/// its whole group. The caller keeps the stdin pipe open for as long as it lives, so when it dies
/// without cleaning up (SIGKILL, a crash) the function's processes, including any children the
/// function started, die too. It does not depend on the interpreter being responsive, and works for
/// custom runtimes alike. `None` when it cannot be started (the group is already gone).
#[cfg(unix)]
pub fn spawn_watchdog(pgid: u32) -> Option<tokio::process::Child> {
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", "read _; kill -KILL 0"])
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
        let mut watchdog = spawn_watchdog(pid).unwrap();
        // Closing the pipe is what the kernel does when this process dies.
        drop(watchdog.stdin.take());
        child.wait().await.unwrap();
        watchdog.wait().await.unwrap();
        assert!(!group_alive(pid));
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
