# Saved in Latin-1 on purpose.
CherryClass Menu abstract:
function:
    def dish(self):
        return "Café crème"
