//! The [`SocketBackend`] implementation: every socket option goes through
//! `option.rs`'s one table-driven path; I/O, timeouts and interfaces each
//! call their module.

use core::net::SocketAddrV6;
use std::os::fd::AsFd;
use std::time::Duration;

use ipv6_core::{
    Direction, OptionValue, Platform, RecvMessage, RecvMeta, Result, SendMessage, SocketBackend,
    SocketOption,
};

use crate::{Socket, batch, interface, message, option, sys};

impl<F: AsFd> SocketBackend for Socket<F> {
    fn platform(&self) -> &Platform {
        &Platform::HOST
    }

    fn socket_family(&self) -> Result<u16> {
        sys::socket_family(self.fd())
    }

    fn get(&self, option: SocketOption) -> Result<OptionValue<'static>> {
        option::get(self.fd(), option)
    }

    fn set(&self, option: SocketOption, value: OptionValue<'_>) -> Result<()> {
        option::set(self.fd(), option, &value)
    }

    fn recv_msg(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        message::recv_msg(self.fd(), buffers, control)
    }

    fn recv_error(&self, buffers: &mut [&mut [u8]], control: &mut [u8]) -> Result<RecvMeta> {
        message::recv_error(self.fd(), buffers, control)
    }

    fn send_msg(
        &self,
        buffers: &[&[u8]],
        control: &[u8],
        destination: Option<&SocketAddrV6>,
    ) -> Result<usize> {
        message::send_msg(self.fd(), buffers, control, destination)
    }

    fn recv_batch(&self, messages: &mut [RecvMessage<'_>]) -> Result<usize> {
        batch::recv(self.fd(), messages)
    }

    fn send_batch(&self, messages: &mut [SendMessage<'_>]) -> Result<usize> {
        batch::send(self.fd(), messages)
    }

    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> Result<()> {
        option::set_timeout(self.fd(), direction, timeout)
    }

    fn set_nonblocking(&self, on: bool) -> Result<()> {
        sys::set_nonblocking(self.fd(), on)
    }

    fn interface_exists(&self, ifindex: u32) -> Result<bool> {
        interface::exists(self.fd(), ifindex)
    }
}
