using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Errors;

/// <summary>Base of the errors a caller can cause; the API maps each to one HTTP status.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The input breaks one or more rules (400). Each error names its field.</summary>
public sealed class ValidationFailedException(IReadOnlyList<ValidationError> errors)
    : DomainException("The request is not valid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;

    public ValidationFailedException(string field, string message) : this([new ValidationError(field, message)]) { }
}

/// <summary>Missing, or not visible to the caller (404): never reveals another tenant's or project's data.</summary>
public sealed class NotFoundException(string message) : DomainException(message);

/// <summary>
/// The caller is known but its role does not allow the operation (403). When a value of the request is what
/// the role may not ask for (a binding in <c>settings.rbac</c>), <see cref="Errors"/> names its field, as a 400 does.
/// </summary>
public sealed class ForbiddenException(string message, IReadOnlyList<ValidationError>? errors = null) : DomainException(message)
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors ?? [];
}

/// <summary>The operation conflicts with the current state: duplicate, stale version, wrong status (409).</summary>
public sealed class ConflictException(string message) : DomainException(message);

/// <summary>No valid identity came with the request (401); <see cref="Claim"/> names the claim that broke its rule, if one did.</summary>
public sealed class UnauthenticatedException(string message, ValidationError? claim = null) : DomainException(message)
{
    public ValidationError? Claim { get; } = claim;
}

/// <summary>A dependency (workflow engine, table) could not take the request now (503); safe to retry.</summary>
public sealed class ServiceUnavailableException(string message, Exception? inner = null) : DomainException(message)
{
    public Exception? Dependency { get; } = inner;
}

/// <summary>
/// The cloud account's AWS side refused the product (502): its role cannot be assumed, or does not
/// allow a read. The caller's own role is fine (that is a 403); the fix is in the account's role.
/// </summary>
public sealed class CloudAccessDeniedException(string message) : DomainException(message);
