//! Conformance suite shared by every backend: the scenarios of Go's
//! x/net/ipv6 tests and more, run on the real kernel, each in a throwaway
//! network namespace, written once and instantiated per backend.
//!
//! Run as root (elsewhere the tests skip with one line each, or fail when
//! `CI=true`):
//!
//! ```text
//! cargo test -p ipv6-tests                        # libc, and rustix with its libc fallback
//! cargo test -p ipv6-tests --no-default-features  # libc, and pure rustix
//! ```

pub mod backends;
pub mod capture;
pub mod netns;
pub mod suite;

/// Defines one `#[test]` per scenario for a [`suite::Backend`], named after
/// the scenario.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:ty) => {
        $crate::conformance_suite!(@each $backend;
            unicast::unicast_udp_read_write,
            unicast::unicast_udp_sender_control_reaches_receiver,
            unicast::unicast_icmp_read_write,
            unicast::pktinfo_source_address,
            unicast::pktinfo_interface_selects_link,
            multicast::multicast_udp_read_write,
            multicast::multicast_icmp_read_write,
            multicast::multicast_groups_on_several_interfaces,
            multicast::multicast_several_sockets_one_group,
            multicast::multicast_leave_and_rejoin,
            source_filter::multicast_source_specific_join,
            source_filter::multicast_source_specific_exclude,
            listeners::multicast_listener_udp_one_socket_every_link,
            listeners::multicast_listener_udp_two_sockets_one_port,
            listeners::multicast_listener_udp_per_interface,
            listeners::multicast_listener_udp_link_local_with_zone,
            listeners::multicast_listener_raw_one_socket_every_link,
            listeners::multicast_listener_raw_per_interface,
            sockopt::sockopt_unicast_udp,
            sockopt::sockopt_unicast_raw,
            sockopt::sockopt_unicast_tcp,
            sockopt::sockopt_multicast_udp,
            sockopt::sockopt_multicast_raw,
            sockopt::sockopt_checksum,
            sockopt::sockopt_icmp_filter,
            icmp_filter::icmp_filter_delivers_only_accepted,
            checksum::checksum_offset_filled_by_kernel,
            path_mtu::path_mtu_connected_udp,
            path_mtu::path_mtu_tcp_initiator_and_responder,
            path_mtu::path_mtu_control_message,
            bpf::bpf_filter_drops_rejected,
            bpf::bpf_filter_sees_udp_header,
            batch::batch_read_write_with_control,
            batch::batch_read_write_raw_icmp,
            concurrent::concurrent_read_write_udp,
            concurrent::concurrent_batch_read_write_udp,
            concurrent::concurrent_read_write_raw,
            concurrent::concurrent_batch_read_write_raw,
            concurrent::concurrent_control_flags_match_kernel,
            property::control_round_trip_property,
            property::control_round_trip_batch_property,
            receive_options::receive_options_set_by_another_library,
            receive_options::receive_options_outlive_into_inner,
            receive_options::receive_options_toggled_while_reading,
            receive_options::receive_options_refused_before_the_kernel,
            receive_options::received_decodes_hand_built_messages,
            bad_args::bad_arguments_rejected,
            bad_args::bad_arguments_ipv4_socket,
            bad_args::kernel_errors_are_typed,
            io::read_timeout_and_nonblocking,
            io::scatter_gather_and_truncation,
            ecn::ecn_and_dscp_per_packet,
            offload::gso_send_arrives_as_datagrams,
            offload::gro_receiver_gets_them_coalesced,
            offload::gso_and_gro_across_a_veth_link,
            offload::offload_bad_input_is_typed_and_loses_nothing,
            icmp_errors::packet_too_big_from_the_router,
            icmp_errors::time_exceeded_from_the_router,
        );
    };
    (@each $backend:ty; $($module:ident :: $scenario:ident),* $(,)?) => {
        $(
            #[test]
            fn $scenario() {
                $crate::suite::run::<$backend>(
                    stringify!($scenario),
                    $crate::suite::$module::$scenario::<$backend>,
                );
            }
        )*
    };
}
