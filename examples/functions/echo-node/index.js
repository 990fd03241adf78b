// Echo: the reply is the data (a promise of it, to show that a handler may be async).
exports.handle = async (data) => data;
