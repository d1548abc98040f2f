def initServer():
    global events
    events = ['Counter']
