"""Lookups registered on text fields.

`email__lower_exact="Ann@X.test"` compiles to `lower(email) = lower('Ann@X.test')`: the form the
`lower(email)` indexes of persons, recipients, events, unsubscribes and the verification queue serve,
which Django's own `iexact` (`upper(email::text) = upper(…)`) cannot use.
"""

from django.db.models import CharField, Lookup, TextField


class LowerExact(Lookup):
    lookup_name = "lower_exact"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", [*lhs_params, *rhs_params]


CharField.register_lookup(LowerExact)
TextField.register_lookup(LowerExact)
