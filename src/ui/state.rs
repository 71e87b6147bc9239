//! The page state as Yew's reducer. The state, its actions and its transitions are plain data in
//! [`crate::core::page`] (tested natively); this only plugs them into `use_reducer`.

use std::rc::Rc;

use yew::Reducible;

pub use crate::core::page::{Action, ReplayCmd, State, MAX_COMPARE};

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        self.step(action)
    }
}
