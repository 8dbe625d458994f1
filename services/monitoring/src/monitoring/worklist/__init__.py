"""Today's worklist per grid: who must check in, who has, who has not, who is due a NAT."""
