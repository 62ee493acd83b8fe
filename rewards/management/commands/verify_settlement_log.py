"""Verify the local adapter's settlement log: the chain of hashes, each row's total and Merkle
root, and the totals against the ledger. Exits 1 and lists every problem when anything is off."""

from django.core.management.base import BaseCommand, CommandError

from rewards import amounts
from rewards.chain.local import verify_log
from rewards.settlement_models import SettlementBatch


class Command(BaseCommand):
    help = "Verify the hash chain of the local settlement log and its totals against the ledger."

    def handle(self, *args, **options) -> None:
        rows, total, problems = verify_log()
        messages = [p.message for p in problems]
        logged = {}
        from rewards.settlement_models import SettlementLogEntry

        for batch_id, row_total, root in SettlementLogEntry.objects.values_list("batch_id", "total", "merkle_root"):
            logged[batch_id] = (int(row_total), root)
        settled = SettlementBatch.objects.filter(adapter="local", state__in=(SettlementBatch.State.SUBMITTED,
                                                                           SettlementBatch.State.CONFIRMED))
        ledger_total = 0
        for batch in settled:
            ledger_total += batch.total_units
            entry = logged.pop(str(batch.chain_batch_id), None)
            if entry is None:
                messages.append(f"settlement #{batch.pk} is {batch.state} in the ledger but not in the log")
            elif entry != (batch.total_units, batch.merkle_root):
                messages.append(f"settlement #{batch.pk}: the log says {amounts.format_amount(entry[0])} "
                                f"(root {entry[1][:12]}…), the ledger {amounts.format_amount(batch.total_units)} "
                                f"(root {batch.merkle_root[:12]}…)")
        for batch_id in logged:
            messages.append(f"the log settles batch {batch_id}, which the ledger does not record as settled")
        if total != ledger_total:
            messages.append(f"the log totals {amounts.format_amount(total)}, the ledger's settled batches "
                            f"{amounts.format_amount(ledger_total)}")
        if messages:
            for message in messages:
                self.stderr.write(f"  - {message}")
            raise CommandError(f"The settlement log has {len(messages)} problem(s) (listed above).")
        self.stdout.write(f"OK: {rows} row(s), hash chain intact, {amounts.format_amount(total)} settled, "
                          "equal to the ledger.")
