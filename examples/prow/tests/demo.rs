//! `prow demo` runs its whole story on embedded defaults and tells it on stdout: the bot's
//! answers to each step come from the real hook, plugins, plank and crier, talking to the
//! GitHub simulator over HTTP.

use std::process::Command;

#[test]
fn the_demo_tells_the_whole_loop() {
    let output = Command::new(env!("CARGO_BIN_EXE_prow"))
        .arg("demo")
        .env_remove("RUST_LOG")
        .output()
        .expect("run prow demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "prow demo failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // Each scene, in order, holds its steps and the bot's answers they are about (in any
    // order within the scene: plugins answer concurrently).
    let scenes: Vec<&str> = stdout.split("\n== ").skip(1).collect();
    let want: &[(&str, &[&str])] = &[
        (
            "A member opens a pull request",
            &[
                "bob opens a pull request",
                "bot #1 adds the label size/S",
                "bot sets status pull-hello-unit: success (Job succeeded.)",
                "bot sets status pull-hello-lint: failure (Job failed.)",
                "bot #1 comments: [APPROVALNOTIFIER] This PR is **NOT APPROVED**",
            ],
        ),
        (
            "A flaky job is run again",
            &[
                "bob comments on #1: /retest",
                "bot sets status pull-hello-lint: success (Job succeeded.)",
            ],
        ),
        (
            "The author cannot approve their own change by LGTM",
            &[
                "bob comments on #1: /lgtm",
                "bot #1 comments: @bob: you cannot LGTM your own PR.",
            ],
        ),
        (
            "A reviewer and an approver agree",
            &[
                "alice comments on #1: /lgtm",
                "bot #1 adds the label lgtm",
                "alice comments on #1: /approve",
                "bot #1 comments: [APPROVALNOTIFIER] This PR is **APPROVED**",
                "bot #1 adds the label approved",
            ],
        ),
        (
            "A hold, and its release",
            &[
                "alice comments on #1: /hold",
                "bot #1 adds the label do-not-merge/hold",
                "alice comments on #1: /hold cancel",
                "bot #1 removes the label do-not-merge/hold",
            ],
        ),
        (
            "An outside contributor's pull request waits for /ok-to-test",
            &[
                "dave (not a member) opens a pull request",
                "bot #2 adds the label needs-ok-to-test",
                "alice comments on #2: /ok-to-test",
                "bot #2 removes the label needs-ok-to-test",
                "bot #2 adds the label ok-to-test",
            ],
        ),
        (
            "Where things stand",
            &[
                "#1 labels: approved, lgtm, size/S",
                "#1 pull-hello-unit: success",
                "#1 pull-hello-lint: success",
            ],
        ),
    ];
    assert_eq!(
        scenes.len(),
        want.len(),
        "the scenes of the story:\n{stdout}"
    );
    for (scene, (title, lines)) in scenes.iter().zip(want) {
        assert!(scene.starts_with(title), "scene {title:?} in:\n{stdout}");
        for line in *lines {
            assert!(
                scene
                    .lines()
                    .any(|l| l.trim() == *line || l.trim().starts_with(line)),
                "{line:?} missing from scene {title:?}:\n{scene}"
            );
        }
    }
    // Logs stay quiet (warnings only) so the story reads on its own.
    assert!(
        !stderr.contains(" INFO "),
        "info logs on stderr by default:\n{stderr}"
    );
}
