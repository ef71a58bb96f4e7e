//! Who We Are: the green directory of people, businesses and organisations.

pub mod api;
pub mod badges;
pub mod blocks;
pub mod pages;
pub mod photos;
pub mod service;
