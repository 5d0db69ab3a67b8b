//! Access rules in the style of `pg_hba.conf`: which method a connection
//! must authenticate with, chosen by its transport, database, user and
//! address.
//!
//! ```text
//! # TYPE     DATABASE      USER         ADDRESS        METHOD
//! hostssl    all           all          0.0.0.0/0      scram-sha-256
//! host       app,reports   alice,bob    10.0.0.0/8     scram-sha-256
//! host       all           all          127.0.0.1/32   trust
//! host       all           all          all            reject
//! ```
//!
//! Rules are tried in order and the first whose four columns all match
//! decides; when none matches the login is refused (FATAL 28000 `no
//! pg_hba.conf entry for host …`). A rule is *not* a fall-through: a
//! `reject` line, or a password that fails, ends the login; no later line
//! is tried. This is PostgreSQL's semantics.
//!
//! Why this is in the sans-IO core rather than in the server binary: the
//! decision needs four facts that only the core has at the right moment
//! (the startup packet's user and database, whether TLS is in use, and the
//! peer address the host gave [`Connection::set_peer_addr`](crate::Connection::set_peer_addr)),
//! and it must be taken between the StartupMessage and the first
//! authentication request. It is pure: no clock, file or socket. Parsing a
//! rule is pure too and lives here so every embedding gets the same
//! grammar; reading the file is the host's job.
//!
//! Supported: `host`, `hostssl`, `hostnossl`; `all`, `sameuser` or a
//! comma list of names for the database; `all` or a comma list for the
//! user; `all`, an address or a CIDR block (IPv4 or IPv6) for the address;
//! `trust`, `password`, `md5`, `scram-sha-256`, `reject`. Not supported
//! (a parse error, never silently ignored): `local` (there is no Unix
//! socket), `+group`, `@file`, host names, `samehost`/`samenet`, a separate
//! netmask column, quoted names, and options after the method.

use core::net::IpAddr;

use super::AuthMethod;

/// An ordered list of [`AccessRule`]s: the first match decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRules {
    rules: Vec<AccessRule>,
}

/// One line: connection type, databases, users, address, method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    /// Which transports the rule covers.
    pub connection: ConnectionType,
    /// Which database names.
    pub databases: NameMatch,
    /// Which user names.
    pub users: NameMatch,
    /// Which client addresses.
    pub address: AddressMatch,
    /// How a matching client must authenticate.
    pub method: AuthMethod,
}

/// The TYPE column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionType {
    /// `host`: TCP, encrypted or not.
    Host,
    /// `hostssl`: TCP with TLS only.
    HostSsl,
    /// `hostnossl`: TCP without TLS only.
    HostNoSsl,
}

/// The DATABASE or USER column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// `all`.
    All,
    /// `sameuser` (database column only): the database named like the user.
    SameUser,
    /// A comma list of exact names.
    Names(Vec<String>),
}

/// The ADDRESS column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressMatch {
    /// `all`: any address, and a connection whose address is unknown.
    All,
    /// `addr/prefix`: a CIDR block (a bare address is a one-address block).
    Cidr {
        /// The network address.
        network: IpAddr,
        /// How many leading bits must match.
        prefix: u8,
    },
}

/// What the rules say about one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessDecision {
    /// The first matching rule's method.
    Method(AuthMethod),
    /// No rule matched.
    NoEntry,
}

/// The facts a connection is judged on.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The client's address, if the host told the connection.
    pub peer: Option<IpAddr>,
    /// TLS is in use.
    pub tls: bool,
    /// The startup packet's user.
    pub user: &'a str,
    /// The startup packet's database (defaulted to the user).
    pub database: &'a str,
}

impl AccessRules {
    /// No rules: every connection is refused.
    pub fn new() -> AccessRules {
        AccessRules::default()
    }

    /// One rule for every connection: what the single `--auth` flag means.
    pub fn everyone(method: AuthMethod) -> AccessRules {
        AccessRules {
            rules: vec![AccessRule {
                connection: ConnectionType::Host,
                databases: NameMatch::All,
                users: NameMatch::All,
                address: AddressMatch::All,
                method,
            }],
        }
    }

    /// Appends a rule (tried after the ones already there).
    pub fn push(&mut self, rule: AccessRule) {
        self.rules.push(rule);
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[AccessRule] {
        &self.rules
    }

    /// The first matching rule's method, or [`AccessDecision::NoEntry`].
    pub fn decide(&self, attempt: &Attempt<'_>) -> AccessDecision {
        self.rules
            .iter()
            .find(|rule| rule.matches(attempt))
            .map_or(AccessDecision::NoEntry, |rule| {
                AccessDecision::Method(rule.method)
            })
    }
}

impl AccessRule {
    /// Parses one rule line (`TYPE DATABASE USER ADDRESS METHOD`, separated
    /// by blanks; comments already removed). The error says what is wrong
    /// in words fit for a start-up message.
    pub fn parse(line: &str) -> Result<AccessRule, String> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [kind, databases, users, address, method] = fields[..] else {
            return Err(format!(
                "expected 5 fields (TYPE DATABASE USER ADDRESS METHOD), found {}",
                fields.len()
            ));
        };
        let connection = match kind {
            "host" => ConnectionType::Host,
            "hostssl" => ConnectionType::HostSsl,
            "hostnossl" => ConnectionType::HostNoSsl,
            "local" => {
                return Err("\"local\" rules need a Unix socket; twill listens on TCP only".into());
            }
            other => return Err(format!("invalid connection type \"{other}\"")),
        };
        Ok(AccessRule {
            connection,
            databases: NameMatch::parse(databases, true)?,
            users: NameMatch::parse(users, false)?,
            address: AddressMatch::parse(address)?,
            method: parse_method(method)?,
        })
    }

    /// Whether all four columns match.
    pub fn matches(&self, attempt: &Attempt<'_>) -> bool {
        let transport = match self.connection {
            ConnectionType::Host => true,
            ConnectionType::HostSsl => attempt.tls,
            ConnectionType::HostNoSsl => !attempt.tls,
        };
        transport
            && self.databases.matches(attempt.database, attempt.user)
            && self.users.matches(attempt.user, attempt.user)
            && self.address.matches(attempt.peer)
    }
}

impl NameMatch {
    fn parse(field: &str, database: bool) -> Result<NameMatch, String> {
        match field {
            "all" => return Ok(NameMatch::All),
            "sameuser" if database => return Ok(NameMatch::SameUser),
            _ => {}
        }
        let names: Vec<String> = field.split(',').map(str::to_string).collect();
        for name in &names {
            if name.is_empty() {
                return Err(format!("empty name in list \"{field}\""));
            }
            if name.starts_with(['+', '@', '"'])
                || matches!(
                    name.as_str(),
                    "all" | "sameuser" | "samerole" | "replication"
                )
            {
                return Err(format!(
                    "\"{name}\" is not supported (only all, sameuser or plain names)"
                ));
            }
        }
        Ok(NameMatch::Names(names))
    }

    fn matches(&self, name: &str, user: &str) -> bool {
        match self {
            NameMatch::All => true,
            NameMatch::SameUser => name == user,
            NameMatch::Names(names) => names.iter().any(|n| n == name),
        }
    }
}

impl AddressMatch {
    fn parse(field: &str) -> Result<AddressMatch, String> {
        if field == "all" {
            return Ok(AddressMatch::All);
        }
        let (addr, prefix) = match field.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (field, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| {
            format!("invalid IP address \"{field}\" (host names, samehost and samenet are not supported)")
        })?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| format!("invalid CIDR mask in address \"{field}\""))?,
        };
        Ok(AddressMatch::Cidr { network, prefix })
    }

    fn matches(&self, peer: Option<IpAddr>) -> bool {
        let AddressMatch::Cidr { network, prefix } = *self else {
            return true;
        };
        // An IPv4 client reached over an IPv6 socket is still that IPv4 client.
        let Some(peer) = peer.map(|p| p.to_canonical()) else {
            return false;
        };
        match (network, peer) {
            (IpAddr::V4(n), IpAddr::V4(p)) => same_prefix(&n.octets(), &p.octets(), prefix),
            (IpAddr::V6(n), IpAddr::V6(p)) => same_prefix(&n.octets(), &p.octets(), prefix),
            _ => false,
        }
    }
}

/// The first `bits` bits of `a` and `b` are equal.
fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

fn parse_method(field: &str) -> Result<AuthMethod, String> {
    Ok(match field {
        "trust" => AuthMethod::Trust,
        "password" => AuthMethod::Password,
        "md5" => AuthMethod::Md5,
        "scram-sha-256" => AuthMethod::ScramSha256,
        "reject" => AuthMethod::Reject,
        other => return Err(format!("invalid authentication method \"{other}\"")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(lines: &[&str]) -> AccessRules {
        let mut rules = AccessRules::new();
        for line in lines {
            rules.push(AccessRule::parse(line).unwrap());
        }
        rules
    }

    fn attempt<'a>(peer: &str, tls: bool, user: &'a str, database: &'a str) -> Attempt<'a> {
        Attempt {
            peer: Some(peer.parse().unwrap()),
            tls,
            user,
            database,
        }
    }

    #[test]
    fn first_match_wins_and_no_match_is_no_entry() {
        let rules = rules(&[
            "host all rejectme 127.0.0.1/32 reject",
            "hostssl all all 0.0.0.0/0 scram-sha-256",
            "host db1,postgres alice,postgres 127.0.0.1/32 trust",
            "hostnossl sameuser all 10.1.0.0/16 md5",
            "host all all ::1/128 password",
        ]);
        let decide = |a| rules.decide(&a);
        use AccessDecision::*;
        assert_eq!(
            decide(attempt("127.0.0.1", true, "rejectme", "x")),
            Method(AuthMethod::Reject)
        );
        assert_eq!(
            decide(attempt("127.0.0.1", true, "alice", "db1")),
            Method(AuthMethod::ScramSha256)
        );
        assert_eq!(
            decide(attempt("127.0.0.1", false, "alice", "db1")),
            Method(AuthMethod::Trust)
        );
        assert_eq!(decide(attempt("127.0.0.1", false, "alice", "db2")), NoEntry);
        assert_eq!(decide(attempt("127.0.0.2", false, "alice", "db1")), NoEntry);
        assert_eq!(
            decide(attempt("10.1.200.3", false, "carol", "carol")),
            Method(AuthMethod::Md5)
        );
        assert_eq!(
            decide(attempt("10.1.200.3", false, "carol", "other")),
            NoEntry
        );
        assert_eq!(
            decide(attempt("10.2.0.1", false, "carol", "carol")),
            NoEntry
        );
        assert_eq!(
            decide(attempt("::1", false, "x", "y")),
            Method(AuthMethod::Password)
        );
        // IPv4-mapped IPv6 matches the IPv4 rule.
        assert_eq!(
            decide(attempt("::ffff:127.0.0.1", false, "alice", "db1")),
            Method(AuthMethod::Trust)
        );
        let unknown = Attempt {
            peer: None,
            tls: false,
            user: "alice",
            database: "db1",
        };
        assert_eq!(
            rules.decide(&unknown),
            NoEntry,
            "a CIDR never matches an unknown address"
        );
        assert_eq!(
            AccessRules::everyone(AuthMethod::Md5).decide(&unknown),
            Method(AuthMethod::Md5)
        );
        assert_eq!(AccessRules::new().decide(&unknown), NoEntry);
    }

    #[test]
    fn cidr_prefixes() {
        let m = |cidr: &str, peer: &str| {
            AddressMatch::parse(cidr)
                .unwrap()
                .matches(Some(peer.parse().unwrap()))
        };
        assert!(m("10.0.0.0/8", "10.255.1.2"));
        assert!(!m("10.0.0.0/8", "11.0.0.1"));
        assert!(m("192.168.1.128/25", "192.168.1.200"));
        assert!(!m("192.168.1.128/25", "192.168.1.100"));
        assert!(m("0.0.0.0/0", "8.8.8.8"));
        assert!(
            !m("0.0.0.0/0", "::2"),
            "IPv4 rules do not match IPv6 clients"
        );
        assert!(m("fe80::/10", "febf::1"));
        assert!(m("192.0.2.7", "192.0.2.7"));
        assert!(!m("192.0.2.7", "192.0.2.8"));
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        let err = |line| AccessRule::parse(line).unwrap_err();
        assert!(err("host all all all").contains("expected 5 fields"));
        assert!(err("local all all trust x").contains("Unix socket"));
        assert!(err("hots all all all trust").contains("invalid connection type"));
        assert!(err("host all all all ident").contains("invalid authentication method"));
        assert!(err("host all all 10.0.0.0/33 trust").contains("invalid CIDR mask"));
        assert!(err("host all all localhost trust").contains("invalid IP address"));
        assert!(err("host all +admins all trust").contains("not supported"));
        assert!(err("host a,,b all all trust").contains("empty name"));
        assert!(err("host all all all scram-sha-256 clientcert=verify-full").contains("found 6"));
    }

    proptest::proptest! {
        /// CIDR matching agrees with the arithmetic definition (the top
        /// `prefix` bits of the two addresses are equal), for IPv4 and IPv6.
        #[test]
        fn cidr_matches_the_arithmetic(n: u32, p: u32, prefix in 0u8..=32, n6: u128, p6: u128, prefix6 in 0u8..=128) {
            let top = |x: u32, bits: u8| x.checked_shr(32 - u32::from(bits)).unwrap_or(0);
            let rule = AddressMatch::Cidr { network: IpAddr::from(n.to_be_bytes()), prefix };
            proptest::prop_assert_eq!(
                rule.matches(Some(IpAddr::from(p.to_be_bytes()))),
                top(n, prefix) == top(p, prefix)
            );
            let top6 = |x: u128, bits: u8| x.checked_shr(128 - u32::from(bits)).unwrap_or(0);
            let rule = AddressMatch::Cidr { network: IpAddr::from(n6.to_be_bytes()), prefix: prefix6 };
            let peer = IpAddr::from(p6.to_be_bytes());
            // IPv4-mapped peers are judged as IPv4 (and so never match an IPv6 rule).
            let expected = !peer.to_canonical().is_ipv4() && top6(n6, prefix6) == top6(p6, prefix6);
            proptest::prop_assert_eq!(rule.matches(Some(peer)), expected);
        }

        /// Any line parses or fails with a message; nothing panics.
        #[test]
        fn parse_never_panics(line in "[ a-z0-9./:,+@\"-]{0,60}") {
            let _ = AccessRule::parse(&line);
        }
    }
}
