package flow

// LooksLikeSecret reports whether a value given as a consumer's key has the shape of a
// Bitbucket consumer secret: exactly 32 ASCII letters and digits (keys are 18). The two
// were probably swapped, so it is treated as a secret: masked, never shown.
func LooksLikeSecret(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
