//! The code of conduct: stewards write it (every version kept), applicants accept it when they
//! apply, members read it, and the report screen shows it.

pub mod pages;
pub mod service;
