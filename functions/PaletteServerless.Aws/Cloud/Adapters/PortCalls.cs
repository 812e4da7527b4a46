using Amazon.Runtime;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// How every adapter turns a service's error into the ports' <see cref="CloudServiceException"/>: AWS's code, the
/// service's own message, and whether the same call can succeed later (<see cref="CloudErrors.IsTransient(Exception)"/>).
/// Errors of the SDK's clients and of our own SigV4 clients read the same.
/// </summary>
internal static class PortCalls
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw new CloudServiceException(ex.ErrorCode ?? ex.GetType().Name, ex.Message, CloudErrors.IsTransient(ex), ex);
        }
        catch (AwsServiceException ex)
        {
            throw new CloudServiceException(ex.ErrorCode, ex.ErrorMessage, CloudErrors.IsTransient(ex), ex);
        }
    }

    public static Task RunAsync(Func<Task> call) => RunAsync(async () =>
    {
        await call();
        return true;
    });
}
