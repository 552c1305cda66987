"""HR's print room (HR and administrators), one blueprint per screen family, all under /manage/certificates:
finding certificates, revoking and reissuing them, the expiry list (records), printing stacks and the print log
(printing), and how certificates look (appearance)."""
