// Signed-in devices as people name them: "Firefox on Windows", "Safari on iPhone", from
// the User-Agent a session was created with (bowser, MIT: maintained, no dependencies,
// its own types; ua-parser-js v2 is AGPL and v1 only gets fixes). Two sessions with the
// same name get what tells them apart (the IP address, then the time last seen, then a
// number) in the accessible name of their sign-out button.
import Bowser from 'bowser';
import { translate } from '../i18n/catalogue.js';
// A client that is no browser (curl, a backend): its first product token, shortened.
const MAX_RAW_NAME = 40;
/** "Firefox on Windows" in the page's language; the user agent's first token when no
 *  browser or system is recognised; "Unknown device" without one. */
export function deviceName(userAgent, language) {
    const ua = userAgent?.trim() ?? '';
    if (ua === '')
        return translate(language, 'device.unknown');
    const parsed = Bowser.parse(ua);
    const browser = parsed.browser.name ?? '';
    // iOS names the device (iPhone, iPad) better than the system does.
    const system = parsed.os.name === 'iOS' && parsed.platform.model !== undefined && parsed.platform.model !== '' ? parsed.platform.model : parsed.os.name ?? '';
    if (browser !== '' && system !== '')
        return translate(language, 'device.on', { browser, system });
    if (browser !== '' || system !== '')
        return browser !== '' ? browser : system;
    return ua.split(/\s/)[0]?.slice(0, MAX_RAW_NAME) ?? translate(language, 'device.unknown');
}
/** The sessions of the devices page, each with its name and a name no other row has. */
export function nameDevices(sessions, language, when) {
    const named = sessions.map(session => ({ ...session, name: deviceName(session.userAgent, language) }));
    // "(this device)" tells the current one apart; the others are compared among themselves.
    const others = named.filter(row => !row.current);
    const count = (key) => row => others.filter(other => key(other) === key(row)).length;
    const sameName = count(row => row.name);
    const sameNameAndIp = count(row => `${row.name} ${row.ip ?? ''}`);
    const rows = named.map(row => {
        if (row.current)
            return { ...row, distinctName: translate(language, 'device.this', { name: row.name }) };
        if (sameName(row) === 1)
            return { ...row, distinctName: row.name };
        const withIp = row.ip === null ? row.name : `${row.name}, ${row.ip}`;
        if (sameNameAndIp(row) === 1)
            return { ...row, distinctName: withIp };
        return { ...row, distinctName: `${withIp}, ${translate(language, 'account.last_seen', { when: when(row.lastSeenAt) })}` };
    });
    // Alike to the minute (two tabs of one browser signed in at once): numbered in list order.
    const seen = new Map();
    return rows.map(row => {
        if (rows.filter(other => other.distinctName === row.distinctName).length === 1)
            return row;
        const n = (seen.get(row.distinctName) ?? 0) + 1;
        seen.set(row.distinctName, n);
        return { ...row, distinctName: `${row.distinctName} (${n})` };
    });
}
