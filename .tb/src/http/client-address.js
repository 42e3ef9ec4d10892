// The key a client is counted under, by the per-IP limits and the hashing queue's shares:
// its IPv4 address, or the /64 of its IPv6 address. One IPv6 subscriber usually holds a
// whole /64 (RFC 6177) and can pick any address in it for every request, so counting
// single IPv6 addresses would give each subscriber 2^64 budgets.
import ipaddr from 'ipaddr.js';
import { sessionHandle } from '../features/sessions/sessions.js';
export function clientKeyOf(ip) {
    let address;
    try {
        // process(): an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 client it maps.
        address = ipaddr.process(ip);
    }
    catch {
        return ip; // not an IP address (a unix socket): counted as it is
    }
    if (address.kind() === 'ipv4')
        return address.toString();
    const prefix = address.parts.slice(0, 4).map(part => part.toString(16)).join(':');
    return `${prefix}::/64`;
}
/** What the domain is told of who sends `request`. */
export function requesterOf(request) {
    const requester = { client: clientKeyOf(request.ip), ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id };
    return request.session == null ? requester : { ...requester, session: sessionHandle(request.session.id) };
}
