//! The worker state a log signals (DESIGN §7). Stopping and stopped come from the process, not
//! from its output, so they are not here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Starting,
    Ready,
    Working,
    Idle,
    Error,
}

impl State {
    pub fn parse(name: &str) -> Option<State> {
        Some(match name {
            "starting" => State::Starting,
            "ready" => State::Ready,
            "working" => State::Working,
            "idle" => State::Idle,
            "error" => State::Error,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Starting => "starting",
            State::Ready => "ready",
            State::Working => "working",
            State::Idle => "idle",
            State::Error => "error",
        }
    }
}
