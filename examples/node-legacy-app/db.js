// The rewards ledger. An in-memory stand-in for the real database in this example.
const ledger = [
  { institution_id: 'b7f2c8d0-4a1e-4c3b-9d1a-0e5f6a7b8c9d', member: 'demo-member', points: 1250 },
];

module.exports = {
  async get(_sql, [institutionId, member]) {
    const row = ledger.find((entry) => entry.institution_id === institutionId && entry.member === member);
    return row || { institution_id: institutionId, member, points: 0 };
  },
};
