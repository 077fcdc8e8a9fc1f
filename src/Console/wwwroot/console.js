// The few things the console asks the browser that Blazor cannot read itself.
window.examConsole = {
    // The browser's IANA time zone ("Europe/Prague"), for showing times in local time.
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
};
