//! How the app was asked to start: normal or demo.
//!
//! Pure functions over the arguments and the environment so they are tested
//! without launching anything.

use std::ffi::OsStr;

use casebridge_engine::api::RunMode;

/// Command-line switch for demo mode.
pub const DEMO_FLAG: &str = "--demo";
/// Environment switch for demo mode (`1` or `true`).
pub const DEMO_ENV: &str = "CASEBRIDGE_DEMO";

/// Demo when `--demo` is among the arguments or the demo variable is set to
/// `1`/`true`; any other value (including `0`) means normal, so a stale
/// `CASEBRIDGE_DEMO=0` never flips a user into demo data.
pub fn run_mode<A: AsRef<OsStr>>(
    args: impl IntoIterator<Item = A>,
    demo_env: Option<&OsStr>,
) -> RunMode {
    let flag = args.into_iter().skip(1).any(|a| a.as_ref() == DEMO_FLAG);
    let env = demo_env
        .and_then(OsStr::to_str)
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    if flag || env {
        RunMode::Demo
    } else {
        RunMode::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flag_and_no_env_is_normal() {
        assert_eq!(run_mode(["casebridge"], None), RunMode::Normal);
    }

    #[test]
    fn demo_flag_anywhere_after_the_program_is_demo() {
        assert_eq!(run_mode(["casebridge", "--demo"], None), RunMode::Demo);
        assert_eq!(
            run_mode(["casebridge", "casebridge://x", "--demo"], None),
            RunMode::Demo
        );
    }

    #[test]
    fn a_program_path_named_like_the_flag_is_not_the_flag() {
        assert_eq!(run_mode(["--demo"], None), RunMode::Normal);
    }

    #[test]
    fn env_one_or_true_is_demo() {
        assert_eq!(run_mode(["c"], Some(OsStr::new("1"))), RunMode::Demo);
        assert_eq!(run_mode(["c"], Some(OsStr::new("TRUE"))), RunMode::Demo);
    }

    #[test]
    fn env_zero_empty_or_garbage_stays_normal() {
        for value in ["0", "", "false", "yes please"] {
            assert_eq!(
                run_mode(["c"], Some(OsStr::new(value))),
                RunMode::Normal,
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_similar_but_different_flag_is_ignored() {
        assert_eq!(run_mode(["c", "--demo=1", "-demo"], None), RunMode::Normal);
    }
}
